package kerneltest

import "github.com/qkernels/quant/kernels"

// guardCheck runs the guard-page checks of the kernel called only of k,
// reporting to t.
func guardCheck(t tb, k *kernels.Set, only string) error {
	pg, err := newGuardPages()
	if err != nil {
		return err
	}
	defer pg.close()
	guardPages(t, k, pg, only)
	return nil
}
