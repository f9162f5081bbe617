#!/usr/bin/env python3
"""Loads the .npy files that NpyTest writes and checks them with numpy.

Usage: mvn -B -q verify -pl selfsup4j-train -am -Dtest=NpyTest -Dsurefire.failIfNoSpecifiedTests=false
       scripts/check_npy.py [selfsup4j-train/target/npy-sample]
Needs python3 with numpy; the Java test itself does not.
"""
import os
import sys

import numpy as np

d = sys.argv[1] if len(sys.argv) > 1 else os.path.join(
    os.path.dirname(__file__), "..", "selfsup4j-train", "target", "npy-sample")
f = np.load(os.path.join(d, "features.npy"))
assert f.dtype == np.float32 and f.shape == (3, 4), (f.dtype, f.shape)
expected = (10 * np.arange(3)[:, None] + np.arange(4)[None, :] - 1.5).astype(np.float32)
assert np.array_equal(f, expected), f
l8 = np.load(os.path.join(d, "labels_i8.npy"))
assert l8.dtype == np.int64 and l8.tolist() == [5, -3, 1 << 40], (l8.dtype, l8)
l4 = np.load(os.path.join(d, "labels_i4.npy"))
assert l4.dtype == np.int32 and l4.tolist() == [1, -2, 3], (l4.dtype, l4)
print("npy files load in numpy", np.__version__, ": features", f.shape, f.dtype,
      "labels", l8.dtype, l4.dtype)
