// Encodings of the arm64 Advanced SIMD instructions that Go's assembler does
// not know, emitted with WORD.
//
// Every macro takes register numbers (0 to 31, not names) in the operand
// order of the Arm syntax: destination first. The comment line right above
// each #define is the instruction in Arm (GNU) syntax, with vd, vn, vm, bd, sd,
// hd and dd standing for the macro's d, n and m registers; neon_encoding_test.go
// assembles every macro and checks that disassemblers read back exactly
// that line, so keep the format.

// Narrowing and widening conversions. The float ones round with FPCR.RMode,
// which Go leaves at round to nearest even, and, with FPCR.DN clear, turn a
// NaN into a quiet NaN keeping its sign and top payload bits. FRINTN
// rounds to an integral float32 with ties to even whatever FPCR.RMode.

// fcvtn vd.4h, vn.4s
#define FCVTN_4H(d, n) WORD $(0x0E216800 | (n<<5) | d)
// fcvtn2 vd.8h, vn.4s
#define FCVTN2_8H(d, n) WORD $(0x4E216800 | (n<<5) | d)
// fcvtl vd.4s, vn.4h
#define FCVTL_4S(d, n) WORD $(0x0E217800 | (n<<5) | d)
// fcvtl2 vd.4s, vn.8h
#define FCVTL2_4S(d, n) WORD $(0x4E217800 | (n<<5) | d)
// bfcvtn vd.4h, vn.4s
#define BFCVTN_4H(d, n) WORD $(0x0EA16800 | (n<<5) | d)
// bfcvtn2 vd.8h, vn.4s
#define BFCVTN2_8H(d, n) WORD $(0x4EA16800 | (n<<5) | d)
// fcvtns vd.4s, vn.4s
#define FCVTNS_4S(d, n) WORD $(0x4E21A800 | (n<<5) | d)
// scvtf vd.4s, vn.4s
#define SCVTF_4S(d, n) WORD $(0x4E21D800 | (n<<5) | d)
// frintn vd.4s, vn.4s
#define FRINTN_4S(d, n) WORD $(0x4E218800 | (n<<5) | d)
// sqxtn vd.4h, vn.4s
#define SQXTN_4H(d, n) WORD $(0x0E614800 | (n<<5) | d)
// sqxtn2 vd.8h, vn.4s
#define SQXTN2_8H(d, n) WORD $(0x4E614800 | (n<<5) | d)
// sqxtn vd.8b, vn.8h
#define SQXTN_8B(d, n) WORD $(0x0E214800 | (n<<5) | d)
// sqxtn2 vd.16b, vn.8h
#define SQXTN2_16B(d, n) WORD $(0x4E214800 | (n<<5) | d)
// sshll vd.8h, vn.8b, #0
#define SXTL_8H(d, n) WORD $(0x0F08A400 | (n<<5) | d)
// sshll2 vd.8h, vn.16b, #0
#define SXTL2_8H(d, n) WORD $(0x4F08A400 | (n<<5) | d)
// sshll vd.4s, vn.4h, #0
#define SXTL_4S(d, n) WORD $(0x0F10A400 | (n<<5) | d)
// sshll2 vd.4s, vn.8h, #0
#define SXTL2_4S(d, n) WORD $(0x4F10A400 | (n<<5) | d)

// Float arithmetic, IEEE single precision, rounded with FPCR.RMode.
// FMAX and FMIN (unlike FMAXNM, FMINNM) give a NaN where either operand
// is one, and order -0 below +0; FMAXV and FMINV fold the four lanes of
// vn into the scalar sd likewise.

// fmul vd.4s, vn.4s, vm.4s
#define FMUL_4S(d, n, m) WORD $(0x6E20DC00 | (m<<16) | (n<<5) | d)
// fadd vd.4s, vn.4s, vm.4s
#define FADD_4S(d, n, m) WORD $(0x4E20D400 | (m<<16) | (n<<5) | d)
// fdiv vd.4s, vn.4s, vm.4s
#define FDIV_4S(d, n, m) WORD $(0x6E20FC00 | (m<<16) | (n<<5) | d)
// fcmeq vd.4s, vn.4s, vm.4s
#define FCMEQ_4S(d, n, m) WORD $(0x4E20E400 | (m<<16) | (n<<5) | d)
// fmax vd.4s, vn.4s, vm.4s
#define FMAX_4S(d, n, m) WORD $(0x4E20F400 | (m<<16) | (n<<5) | d)
// fsub vd.4s, vn.4s, vm.4s
#define FSUB_4S(d, n, m) WORD $(0x4EA0D400 | (m<<16) | (n<<5) | d)
// fmin vd.4s, vn.4s, vm.4s
#define FMIN_4S(d, n, m) WORD $(0x4EA0F400 | (m<<16) | (n<<5) | d)
// fminv sd, vn.4s
#define FMINV_4S(d, n) WORD $(0x6EB0F800 | (n<<5) | d)
// fmaxv sd, vn.4s
#define FMAXV_4S(d, n) WORD $(0x6E30F800 | (n<<5) | d)

// Float arithmetic, IEEE double precision (kernels.Set.ErrorSums): the
// widening of float32 lanes, which is exact, and the operations on two
// float64 lanes, each rounded with FPCR.RMode; FADDP_D and FMAXP_D fold
// the two lanes of vn into the scalar dd.

// fcvtl vd.2d, vn.2s
#define FCVTL_2D(d, n) WORD $(0x0E617800 | (n<<5) | d)
// fcvtl2 vd.2d, vn.4s
#define FCVTL2_2D(d, n) WORD $(0x4E617800 | (n<<5) | d)
// fsub vd.2d, vn.2d, vm.2d
#define FSUB_2D(d, n, m) WORD $(0x4EE0D400 | (m<<16) | (n<<5) | d)
// fmul vd.2d, vn.2d, vm.2d
#define FMUL_2D(d, n, m) WORD $(0x6E60DC00 | (m<<16) | (n<<5) | d)
// fadd vd.2d, vn.2d, vm.2d
#define FADD_2D(d, n, m) WORD $(0x4E60D400 | (m<<16) | (n<<5) | d)
// fabs vd.2d, vn.2d
#define FABS_2D(d, n) WORD $(0x4EE0F800 | (n<<5) | d)
// fmax vd.2d, vn.2d, vm.2d
#define FMAX_2D(d, n, m) WORD $(0x4E60F400 | (m<<16) | (n<<5) | d)
// faddp dd, vn.2d
#define FADDP_D(d, n) WORD $(0x7E70D800 | (n<<5) | d)
// fmaxp dd, vn.2d
#define FMAXP_D(d, n) WORD $(0x7E70F800 | (n<<5) | d)

// Signed integer min, max and shift, and the across-vector reductions.

// smax vd.4s, vn.4s, vm.4s
#define SMAX_4S(d, n, m) WORD $(0x4EA06400 | (m<<16) | (n<<5) | d)
// smin vd.4s, vn.4s, vm.4s
#define SMIN_4S(d, n, m) WORD $(0x4EA06C00 | (m<<16) | (n<<5) | d)
// smax vd.16b, vn.16b, vm.16b
#define SMAX_16B(d, n, m) WORD $(0x4E206400 | (m<<16) | (n<<5) | d)
// sshr vd.4s, vn.4s, #31
#define SSHR31_4S(d, n) WORD $(0x4F210400 | (n<<5) | d)
// umaxv sd, vn.4s
#define UMAXV_4S(d, n) WORD $(0x6EB0A800 | (n<<5) | d)
// smaxv sd, vn.4s
#define SMAXV_4S(d, n) WORD $(0x4EB0A800 | (n<<5) | d)
// sminv sd, vn.4s
#define SMINV_4S(d, n) WORD $(0x4EB1A800 | (n<<5) | d)

// The same on 16-bit lanes, and pairwise maxima (the result holds the
// pairs of vn, then those of vm).

// smax vd.8h, vn.8h, vm.8h
#define SMAX_8H(d, n, m) WORD $(0x4E606400 | (m<<16) | (n<<5) | d)
// smin vd.8h, vn.8h, vm.8h
#define SMIN_8H(d, n, m) WORD $(0x4E606C00 | (m<<16) | (n<<5) | d)
// sshr vd.8h, vn.8h, #15
#define SSHR15_8H(d, n) WORD $(0x4F110400 | (n<<5) | d)
// umaxv hd, vn.8h
#define UMAXV_8H(d, n) WORD $(0x6E70A800 | (n<<5) | d)
// smaxv hd, vn.8h
#define SMAXV_8H(d, n) WORD $(0x4E70A800 | (n<<5) | d)
// sminv hd, vn.8h
#define SMINV_8H(d, n) WORD $(0x4E71A800 | (n<<5) | d)
// umaxp vd.4s, vn.4s, vm.4s
#define UMAXP_4S(d, n, m) WORD $(0x6EA0A400 | (m<<16) | (n<<5) | d)
// umaxv bd, vn.16b
#define UMAXV_16B(d, n) WORD $(0x6E30A800 | (n<<5) | d)
// umaxp vd.8h, vn.8h, vm.8h
#define UMAXP_8H(d, n, m) WORD $(0x6E60A400 | (m<<16) | (n<<5) | d)

// Fused multiply-add by element (kernels.Set.MulAddAtB): each lane of vd
// becomes vd + vn * (lane i of vm), rounded once, so that the four values
// of one register serve four rows of an outer product. Go's assembler has
// the vector form only (VFMLA). The lane is in bits H:L, so each lane is a
// macro of its own.

// fmla vd.4s, vn.4s, vm.s[0]
#define FMLA_4S_LANE0(d, n, m) WORD $(0x4F801000 | (m<<16) | (n<<5) | d)
// fmla vd.4s, vn.4s, vm.s[1]
#define FMLA_4S_LANE1(d, n, m) WORD $(0x4FA01000 | (m<<16) | (n<<5) | d)
// fmla vd.4s, vn.4s, vm.s[2]
#define FMLA_4S_LANE2(d, n, m) WORD $(0x4F801800 | (m<<16) | (n<<5) | d)
// fmla vd.4s, vn.4s, vm.s[3]
#define FMLA_4S_LANE3(d, n, m) WORD $(0x4FA01800 | (m<<16) | (n<<5) | d)
