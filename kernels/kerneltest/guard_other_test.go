//go:build !linux

package kerneltest

import (
	"errors"

	"github.com/qkernels/quant/kernels"
)

func guardCheck(t tb, k *kernels.Set, only string) error {
	return errors.New("guard pages are checked on Linux only")
}
