package quant

import (
	"encoding/binary"
	"reflect"
	"runtime"
	"slices"
	"testing"
)

// hostLittleEndian decides byte order from GOARCH, independently of the
// library's own probe (and without unsafe).
func hostLittleEndian() bool {
	switch runtime.GOARCH {
	case "armbe", "arm64be", "mips", "mips64", "mips64p32", "ppc", "ppc64", "s390", "s390x", "sparc", "sparc64":
		return false
	}
	return true
}

func TestHostByteOrder(t *testing.T) {
	if littleEndian != hostLittleEndian() {
		t.Fatalf("library thinks little-endian = %v on %s", littleEndian, runtime.GOARCH)
	}
	t.Logf("%s: little-endian = %v", runtime.GOARCH, littleEndian)
}

// leBytes encodes values as little-endian bytes into a buffer at byte
// offset off from an 8-byte aligned base.
func leBytes(t *testing.T, vals []uint16, off int) []byte {
	buf := make([]byte, 64+2*len(vals)) // large enough to come from an aligned size class
	if reflect.ValueOf(buf).Pointer()%8 != 0 {
		t.Fatal("make returned an unaligned buffer")
	}
	b := buf[off : off+2*len(vals)]
	for i, v := range vals {
		binary.LittleEndian.PutUint16(b[2*i:], v)
	}
	return b
}

func testValues(n int) []uint16 {
	v := make([]uint16, n)
	r := newRand(uint64(n))
	for i := range v {
		v[i] = uint16(r.Uint32())
	}
	if n > 0 {
		v[0] = 0x3C00 // 1.0 in binary16 (1/128 in bfloat16 terms is irrelevant: bits are bits)
	}
	return v
}

// The views alias the bytes on little-endian hosts with aligned bytes.
// ViewFloat16s and ViewBFloat16s report false otherwise; the deprecated
// *FromBytes decode a copy instead, on any host.
func TestBytesViews(t *testing.T) {
	type viewFunc func(b []byte) (vals []uint16, set func(i int, v uint16), capacity int, ok bool)
	views := []struct {
		name string
		view viewFunc
	}{
		{"ViewFloat16s", func(b []byte) ([]uint16, func(int, uint16), int, bool) {
			v, ok := ViewFloat16s(b)
			return convertSlice[uint16](v), func(i int, x uint16) { v[i] = Float16(x) }, cap(v), ok
		}},
		{"ViewBFloat16s", func(b []byte) ([]uint16, func(int, uint16), int, bool) {
			v, ok := ViewBFloat16s(b)
			return convertSlice[uint16](v), func(i int, x uint16) { v[i] = BFloat16(x) }, cap(v), ok
		}},
		{"Float16sFromBytes", func(b []byte) ([]uint16, func(int, uint16), int, bool) {
			v := Float16sFromBytes(b)
			return convertSlice[uint16](v), func(i int, x uint16) { v[i] = Float16(x) }, cap(v), true
		}},
		{"BFloat16sFromBytes", func(b []byte) ([]uint16, func(int, uint16), int, bool) {
			v := BFloat16sFromBytes(b)
			return convertSlice[uint16](v), func(i int, x uint16) { v[i] = BFloat16(x) }, cap(v), true
		}},
	}
	for _, vw := range views {
		for _, n := range []int{0, 1, 2, 7, 8, 9, 33, 100} {
			for _, off := range []int{0, 1, 2, 3} {
				want := testValues(n)
				b := leBytes(t, want, off)
				orig := slices.Clone(b)
				got, set, capacity, ok := vw.view(b)
				canShare := hostLittleEndian() && off%2 == 0
				if !ok {
					if canShare || len(got) != 0 || !slices.Equal(b, orig) {
						t.Fatalf("%s(n = %d, offset %d) = %d values, false; want the view (shareable: %v), b untouched",
							vw.name, n, off, len(got), canShare)
					}
					continue
				}
				if !slices.Equal(got, want) {
					t.Fatalf("%s(n = %d, offset %d) = %#04x, want %#04x", vw.name, n, off, got, want)
				}
				if capacity != n {
					t.Errorf("%s(n = %d, offset %d): cap %d, want %d (appending must not write into b)", vw.name, n, off, capacity, n)
				}
				if !slices.Equal(b, orig) {
					t.Fatalf("%s modified its input", vw.name)
				}
				if n == 0 {
					continue
				}
				set(n-1, want[n-1]^0x8001)
				shared := binary.LittleEndian.Uint16(b[2*(n-1):]) != want[n-1]
				if wantShared := canShare; shared != wantShared {
					t.Errorf("%s(n = %d, offset %d): shares memory = %v, want %v", vw.name, n, off, shared, wantShared)
				}
				if shared && binary.LittleEndian.Uint16(b[2*(n-1):]) != want[n-1]^0x8001 {
					t.Errorf("%s: a write through the view stored the wrong bytes", vw.name)
				}
				if !shared && !slices.Equal(b, orig) {
					t.Errorf("%s: a write to the copy changed the bytes", vw.name)
				}
			}
		}
	}
	for _, b := range [][]byte{nil, {}} {
		if v, ok := ViewFloat16s(b); len(v) != 0 || !ok && hostLittleEndian() {
			t.Errorf("ViewFloat16s(%v) = %d values, %v", b, len(v), ok)
		}
		if v := Float16sFromBytes(b); len(v) != 0 {
			t.Errorf("Float16sFromBytes(%v) has %d values", b, len(v))
		}
		if v := BFloat16sFromBytes(b); len(v) != 0 {
			t.Errorf("BFloat16sFromBytes(%v) has %d values", b, len(v))
		}
	}
}

// Known values as they sit in a model file.
func TestBytesKnownValues(t *testing.T) {
	f16 := []byte{0x00, 0x3C, 0xFF, 0x7B, 0x00, 0xC0, 0x01, 0x00, 0x00, 0x7C, 0x00, 0x80}
	wantF16 := []float32{1, 65504, -2, 0x1p-24, float32Inf, f32(0x80000000)}
	for _, off := range []int{0, 1} {
		buf := append(make([]byte, off, off+len(f16)), f16...)
		for i, h := range Float16sFromBytes(buf[off:]) {
			if bits32(h.Float32()) != bits32(wantF16[i]) {
				t.Errorf("offset %d: FP16 value %d = %v, want %v", off, i, h.Float32(), wantF16[i])
			}
		}
	}
	bf16 := []byte{0x80, 0x3F, 0x49, 0x40, 0x80, 0xFF, 0xC0, 0x7F}
	wantBF16 := []uint32{0x3F800000, 0x40490000, 0xFF800000, 0x7FC00000}
	for _, off := range []int{0, 1} {
		buf := append(make([]byte, off, off+len(bf16)), bf16...)
		for i, h := range BFloat16sFromBytes(buf[off:]) {
			if bits32(h.Float32()) != wantBF16[i] {
				t.Errorf("offset %d: BF16 value %d = %#08x, want %#08x", off, i, bits32(h.Float32()), wantBF16[i])
			}
		}
	}
}

var float32Inf = f32(0x7F800000)

// Decode and Append are inverses, byte order little-endian on every host.
func TestDecodeAppendRoundTrip(t *testing.T) {
	for _, n := range []int{0, 1, 7, 64, 333} {
		vals := testValues(n)
		h := convertSlice[Float16](vals)
		bf := convertSlice[BFloat16](vals)
		prefix := []byte("hdr")

		b := AppendFloat16s(slices.Clone(prefix), h)
		b2 := AppendBFloat16s(slices.Clone(prefix), bf)
		if string(b[:3]) != "hdr" || string(b2[:3]) != "hdr" || len(b) != 3+2*n || len(b2) != 3+2*n {
			t.Fatalf("n = %d: Append lost the prefix or has length %d, %d", n, len(b), len(b2))
		}
		for i, v := range vals {
			if b[3+2*i] != byte(v) || b[4+2*i] != byte(v>>8) || !slices.Equal(b, b2) {
				t.Fatalf("n = %d: value %d = %#04x encoded as % x, want little-endian", n, i, v, b[3+2*i:5+2*i])
			}
		}
		gotH := make([]Float16, n)
		DecodeFloat16s(gotH, b[3:]) // odd offset: never aligned with the prefix
		gotB := make([]BFloat16, n)
		DecodeBFloat16s(gotB, b[3:])
		if !slices.Equal(gotH, h) || !slices.Equal(gotB, bf) {
			t.Fatalf("n = %d: decode(append(x)) != x", n)
		}
		if v := Float16sFromBytes(AppendFloat16s(nil, h)); !slices.Equal(v, h) {
			t.Fatalf("n = %d: Float16sFromBytes(AppendFloat16s(x)) != x", n)
		}
		if v := BFloat16sFromBytes(AppendBFloat16s(nil, bf)); !slices.Equal(v, bf) {
			t.Fatalf("n = %d: BFloat16sFromBytes(AppendBFloat16s(x)) != x", n)
		}
	}
}
