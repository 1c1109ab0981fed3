package gptq

import (
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"testing"
)

// TestSameBytesEverywhere pins the output of a small run to a hash: the
// same on every architecture and kernel set (ci/test.sh runs it on amd64
// with AVX2 and without, arm64 under qemu and big-endian s390x), which is
// what the package promises. Change the constants only for a change of
// the algorithm, and say so.
func TestSameBytesEverywhere(t *testing.T) {
	f := newFixture("golden", 16, 128, 200, 8, 0.2, 2, 1, 6)
	hash := func(v ...any) string {
		h := sha256.New()
		for _, x := range v {
			if err := binary.Write(h, binary.LittleEndian, x); err != nil {
				t.Fatal(err)
			}
		}
		return fmt.Sprintf("%x", h.Sum(nil)[:8])
	}
	cases := []struct {
		opt  Options
		want string
	}{
		{Options{Grid: Q4_0}, "50b8b70af0105805"},
		{Options{Grid: Q4_1, BlockSize: 64}, "172396e3e882db3a"},
		{Options{Grid: Int4ZeroPoint, GroupSize: 32, ActOrder: true}, "f64c361852234dec"},
		{Options{Grid: Int8Absmax, GroupSize: 64}, "9d8fd2091bf6245d"},
	}
	if got, want := hash(f.h), "b086c8864e544bf2"; got != want {
		t.Errorf("Hessian: hash %s, want %s", got, want)
	}
	for _, c := range cases {
		l, err := Quantize(f.w, f.rows, f.columns, f.h, c.opt)
		if err != nil {
			t.Fatal(err)
		}
		var got string
		switch {
		case l.Blocks != nil:
			got = hash(l.Blocks)
		case l.Absmax != nil:
			got = hash(l.Values, l.Absmax)
		default:
			got = hash(l.Values, l.ZeroPoint)
		}
		if got != c.want {
			t.Errorf("%+v: hash %s, want %s", c.opt, got, c.want)
		}
	}
}
