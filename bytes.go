package quant

import (
	"encoding/binary"
	"unsafe"
)

// Model files (safetensors, GGUF, PyTorch) store FP16 and BF16 weights as
// little-endian bytes. These helpers view or decode such bytes.

var littleEndian = binary.NativeEndian.Uint16([]byte{1, 0}) == 1

// ViewFloat16s returns the little-endian binary16 values in b as a slice
// that shares b's memory: writes through either reach the other. It
// returns nil, false when it cannot share b, on a big-endian host or when
// b is not 2-byte aligned (slices from make, mmap and os.ReadFile are);
// DecodeFloat16s then copies the values out, on any host. It never
// copies. It panics if len(b) is odd.
func ViewFloat16s(b []byte) (s []Float16, ok bool) { return view16[Float16](b, "ViewFloat16s") }

// ViewBFloat16s is ViewFloat16s for bfloat16 values.
func ViewBFloat16s(b []byte) (s []BFloat16, ok bool) { return view16[BFloat16](b, "ViewBFloat16s") }

// Float16sFromBytes returns the little-endian binary16 values in b:
// ViewFloat16s's view where it shares b, else a new slice DecodeFloat16s
// filled. It panics if len(b) is odd.
//
// Deprecated: whether writes to the result reach b depends on the host
// and on b's address. Call ViewFloat16s, and DecodeFloat16s where it
// returns false.
func Float16sFromBytes(b []byte) []Float16 {
	return fromBytes(b, "Float16sFromBytes", DecodeFloat16s)
}

// BFloat16sFromBytes is Float16sFromBytes for bfloat16 values.
//
// Deprecated: call ViewBFloat16s, and DecodeBFloat16s where it returns
// false.
func BFloat16sFromBytes(b []byte) []BFloat16 {
	return fromBytes(b, "BFloat16sFromBytes", DecodeBFloat16s)
}

// DecodeFloat16s copies the little-endian binary16 values in b to dst,
// on any host. It panics if len(b) is odd or dst holds fewer than
// len(b)/2 values.
func DecodeFloat16s(dst []Float16, b []byte) {
	dst = dst[:checkDecode("DecodeFloat16s", len(dst), len(b))]
	for i := range dst {
		dst[i] = Float16(binary.LittleEndian.Uint16(b[2*i:]))
	}
}

// DecodeBFloat16s copies the little-endian bfloat16 values in b to dst,
// on any host, with the panics of DecodeFloat16s.
func DecodeBFloat16s(dst []BFloat16, b []byte) {
	dst = dst[:checkDecode("DecodeBFloat16s", len(dst), len(b))]
	for i := range dst {
		dst[i] = BFloat16(binary.LittleEndian.Uint16(b[2*i:]))
	}
}

// AppendFloat16s appends the values of s to b as little-endian bytes.
func AppendFloat16s(b []byte, s []Float16) []byte {
	for _, h := range s {
		b = binary.LittleEndian.AppendUint16(b, uint16(h))
	}
	return b
}

// AppendBFloat16s appends the values of s to b as little-endian bytes.
func AppendBFloat16s(b []byte, s []BFloat16) []byte {
	for _, h := range s {
		b = binary.LittleEndian.AppendUint16(b, uint16(h))
	}
	return b
}

func checkDecode(fn string, ndst, nb int) int {
	if nb%2 != 0 {
		panic("quant: " + fn + ": odd byte count " + itoa(nb))
	}
	if ndst < nb/2 {
		panicLen(fn, ndst, nb/2)
	}
	return nb / 2
}

// fromBytes is the *FromBytes functions: view16's view of b, or else a
// copy that decode fills.
func fromBytes[T Float16 | BFloat16](b []byte, fn string, decode func([]T, []byte)) []T {
	if v, ok := view16[T](b, fn); ok {
		return v
	}
	s := make([]T, len(b)/2)
	decode(s, b)
	return s
}

// view16 reinterprets b in place where the host's byte order and b's
// alignment allow it.
func view16[T Float16 | BFloat16](b []byte, fn string) ([]T, bool) {
	if len(b)%2 != 0 {
		panic("quant: " + fn + ": odd byte count " + itoa(len(b)))
	}
	if !littleEndian || uintptr(unsafe.Pointer(unsafe.SliceData(b)))%2 != 0 {
		return nil, false
	}
	return unsafe.Slice((*T)(unsafe.Pointer(unsafe.SliceData(b))), len(b)/2), true
}
