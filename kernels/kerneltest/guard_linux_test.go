package kerneltest

import "github.com/qkernels/quant/kernels"

// guardCheck runs the guard-page checks of k, reporting to t.
func guardCheck(t tb, k *kernels.Set) error {
	pg, err := newPages(maxLen * 4)
	if err != nil {
		return err
	}
	defer pg.close()
	guardPages(t, k, pg)
	return nil
}
