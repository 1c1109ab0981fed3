#!/usr/bin/python3
"""Golden vectors for the interop functions (interop_golden_test.go).

PyTorch's results come from PyTorch itself: Debian's python3-torch 1.13.1
(`apt-get install python3-torch`, then `/usr/bin/python3 gen.py`). ONNX's
come from the formulas of the ONNX operator specification
(QuantizeLinear: saturate(round_half_even(x / y_scale) + y_zero_point);
DequantizeLinear: (x - x_zero_point) * x_scale), evaluated in float32 with
numpy, as the ONNX reference implementation does.

Every float is stored as its bit pattern, so nothing is lost in JSON. Run
it again to regenerate golden.json.gz; the output is deterministic.
"""
import gzip
import json
import os

import numpy as np
import torch

F32 = np.float32
rng = np.random.default_rng(20261202)


def bits32(a):
    return np.asarray(a, dtype=F32).view(np.uint32).tolist()


def bits16(t):
    return t.contiguous().view(torch.int16).numpy().astype(np.uint16).tolist()


def inputs(scale, n=517, ties=True):
    """Values for a grid of step scale: ordinary values over the grid and
    beyond, rounding ties of x/scale, and special values."""
    s = F32(scale)
    inv = F32(1) / s
    x = (rng.standard_normal(n) * 60 * float(s)).astype(F32)
    if ties:
        k = rng.integers(-140, 140, n // 4).astype(F32) + F32(0.5)
        x[: n // 4] = (k / inv).astype(F32)  # x*inv lands on or next to a tie
        x[n // 4 : n // 2] = (k * s).astype(F32)  # x/scale lands on or next to a tie
    specials = [0.0, -0.0, 1e-45, -1e-45, 1.1754942e-38, -1.1754942e-38,
                127.5 * float(s), -128.5 * float(s), 126.5 * float(s), 255.5 * float(s),
                3.4028235e38, -3.4028235e38, float("inf"), float("-inf"),
                float(s) * 2.0**30, -float(s) * 2.0**30, float(s) * 2.0**32, -float(s) * 2.0**32,
                float(s) * 2.0**64, -float(s) * 2.0**64]
    sp = np.array(specials, dtype=F32)
    pos = rng.choice(n, len(sp), replace=False)
    x[pos] = sp
    return x


CASES = [(0.1, 3), (0.0123, -7), (1 / 127, 0), (0.05, 5), (0.3, 127), (2.0**-8, -128),
         (3.7e-3, 1), (12.5, -1), (1e-6, 0), (0.02, -100)]
GRIDS = [(-128, 127), (0, 255), (-127, 127), (0, 15), (-8, 7)]


def torch_quantize():
    out = []
    for scale, zp in CASES:
        x = inputs(scale)
        q = torch.quantize_per_tensor(torch.from_numpy(x), scale, zp, torch.qint8)
        out.append({"scale": scale, "zero": zp, "x": bits32(x),
                    "q": q.int_repr().numpy().astype(int).tolist(),
                    "dequant": bits32(q.dequantize().numpy())})
    return out


def torch_quantize_channels():
    """quantize_per_channel on axis 0, with float32 scales (what observers
    make) and with arbitrary float64 ones, which PyTorch's per-channel
    dequantize multiplies by in float64."""
    out = []
    rows, cols = 12, 133
    for double in (False, True):
        scales = rng.random(rows) * 0.1 + 1e-3
        if not double:
            scales = scales.astype(F32).astype(np.float64)
        zps = rng.integers(-128, 128, rows)
        x = np.concatenate([inputs(s, cols) for s in scales]).astype(F32)
        q = torch.quantize_per_channel(torch.from_numpy(x.reshape(rows, cols)), torch.from_numpy(scales),
                                       torch.from_numpy(zps), 0, torch.qint8)
        out.append({"rows": rows, "cols": cols, "double": double, "scales": scales.tolist(), "zeros": zps.tolist(),
                    "x": bits32(x), "q": q.int_repr().numpy().reshape(-1).astype(int).tolist(),
                    "dequant": bits32(q.dequantize().numpy().reshape(-1))})
    return out


def torch_fake():
    out = []
    for i, (scale, zp) in enumerate(CASES):
        qmin, qmax = GRIDS[i % len(GRIDS)]
        zp = min(max(zp, qmin), qmax)
        x = inputs(scale)
        for dtype, name in [(torch.float32, "float32"), (torch.float16, "float16")]:
            t = torch.from_numpy(x).to(dtype)
            y, m = torch.ops.aten.fake_quantize_per_tensor_affine_cachemask(t, scale, zp, qmin, qmax)
            y2 = torch.fake_quantize_per_tensor_affine(t, scale, zp, qmin, qmax)
            assert torch.equal(y.view(torch.int16 if name == "float16" else torch.int32),
                               y2.view(torch.int16 if name == "float16" else torch.int32))
            xs = bits32(t.numpy()) if name == "float32" else bits16(t)
            ys = bits32(y.numpy()) if name == "float32" else bits16(y)
            out.append({"type": name, "scale": scale, "zero": zp, "qmin": qmin, "qmax": qmax,
                        "x": xs, "y": ys, "mask": m.numpy().astype(int).tolist()})
    return out


def torch_fake_channels():
    out = []
    rows, cols = 8, 129
    for qmin, qmax in GRIDS[:3]:
        scales = (rng.random(rows) * 0.1 + 1e-3).astype(F32)
        zps = rng.integers(qmin, qmax + 1, rows).astype(np.int32)
        x = np.concatenate([inputs(s, cols) for s in scales]).astype(F32)
        for dtype, name in [(torch.float32, "float32"), (torch.float16, "float16")]:
            t = torch.from_numpy(x.reshape(rows, cols)).to(dtype)
            y = torch.fake_quantize_per_channel_affine(t, torch.from_numpy(scales), torch.from_numpy(zps), 0, qmin, qmax)
            y2, m = torch.ops.aten.fake_quantize_per_channel_affine_cachemask(
                t, torch.from_numpy(scales), torch.from_numpy(zps), 0, qmin, qmax)
            xs = bits32(t.numpy().reshape(-1)) if name == "float32" else bits16(t.reshape(-1))
            ys = bits32(y.numpy().reshape(-1)) if name == "float32" else bits16(y.reshape(-1))
            ys2 = bits32(y2.numpy().reshape(-1)) if name == "float32" else bits16(y2.reshape(-1))
            assert ys == ys2
            out.append({"type": name, "rows": rows, "cols": cols, "qmin": qmin, "qmax": qmax,
                        "scales": bits32(scales), "zeros": zps.tolist(), "x": xs, "y": ys,
                        "mask": m.numpy().reshape(-1).astype(int).tolist()})
    return out


def onnx_quantize(x, scale, zp):
    """QuantizeLinear to int8 per the ONNX specification, in float32."""
    with np.errstate(over="ignore", invalid="ignore"):
        r = np.rint(x / F32(scale)).astype(F32) + F32(zp)
    return np.clip(r, -128, 127).astype(np.int8)


def onnx_dequantize(q, scale, zp):
    return ((q.astype(np.int32) - zp).astype(F32) * F32(scale)).astype(F32)


def onnx():
    tensor = []
    for scale, zp in CASES:
        x = inputs(scale)
        q = onnx_quantize(x, scale, zp)
        tensor.append({"scale": bits32([scale])[0], "zero": zp, "x": bits32(x), "q": q.astype(int).tolist(),
                       "dequant": bits32(onnx_dequantize(q, scale, zp))})
    # Per axis 0 of a matrix, and blocked (block_size 32 along the rows).
    rows, cols, block = 6, 160, 32
    groups = {"axis": rows, "block": rows * cols // block}
    grouped = {}
    for kind, ng in groups.items():
        scales = (rng.random(ng) * 0.1 + 1e-3).astype(F32)
        zps = rng.integers(-128, 128, ng)
        size = rows * cols // ng
        x = np.concatenate([inputs(s, size, ties=True) for s in scales]).astype(F32)
        q = np.concatenate([onnx_quantize(x[i * size:(i + 1) * size], scales[i], zps[i]) for i in range(ng)])
        d = np.concatenate([onnx_dequantize(q[i * size:(i + 1) * size], scales[i], zps[i]) for i in range(ng)])
        grouped[kind] = {"size": size, "scales": bits32(scales), "zeros": zps.tolist(), "x": bits32(x),
                         "q": q.astype(int).tolist(), "dequant": bits32(d)}
    return {"tensor": tensor, "axis": grouped["axis"], "block": grouped["block"]}


def torch_observers():
    """The parameters PyTorch's MinMaxObserver computes for int8: symmetric
    (max|x|/127.5 on [-128, 127]) and affine, for a few ranges."""
    out = []
    for lo, hi in [(-1.0, 1.0), (-0.37, 2.5), (0.1, 7.0), (-3.0, -0.5), (-1e-3, 4e-3), (-5.5, 0.0)]:
        x = np.concatenate([np.array([lo, hi], dtype=F32), rng.uniform(lo, hi, 100).astype(F32)])
        rec = {"x": bits32(x)}
        for scheme, name in [(torch.per_tensor_symmetric, "symmetric"), (torch.per_tensor_affine, "affine")]:
            ob = torch.ao.quantization.MinMaxObserver(dtype=torch.qint8, qscheme=scheme)
            ob(torch.from_numpy(x))
            sc, zp = ob.calculate_qparams()
            rec[name] = {"scale": bits32(sc.numpy())[0], "zero": int(zp.item())}
        out.append(rec)
    return out


def main():
    golden = {
        "generator": "torch " + torch.__version__ + ", numpy " + np.__version__,
        "torch_observers": torch_observers(),
        "torch_quantize": torch_quantize(),
        "torch_quantize_channels": torch_quantize_channels(),
        "torch_fake": torch_fake(),
        "torch_fake_channels": torch_fake_channels(),
        "onnx": onnx(),
    }
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "golden.json.gz")
    data = json.dumps(golden, separators=(",", ":"), sort_keys=True).encode()
    with open(path, "wb") as f:
        with gzip.GzipFile(fileobj=f, mode="wb", mtime=0, filename="") as g:
            g.write(data)
    print(path, len(data), "bytes of JSON")


if __name__ == "__main__":
    main()
