"""Peak memory of one full MNIST CNN epoch (the `mnist-cnn` lab's network) at batch 128.

    GLASSNET_DATA=../shared/data python -m benchmarks.cnn_memory [--batch-size 128] [--limit N]

Prints the process's peak resident set size (RSS) before and after the epoch; the target is
to stay under 2 GB. Peak RSS includes the data set itself (60,000 float32 images: 188 MB).
"""
from __future__ import annotations

import argparse
import resource
import sys
import time


def peak_rss_mb() -> float:
    """The peak RSS of this process so far, in MB (ru_maxrss is in KB on Linux, bytes on macOS)."""
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / (1024 * 1024) if sys.platform == "darwin" else peak / 1024


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--batch-size", type=int, default=128)
    parser.add_argument("--limit", type=int, default=0, help="use only the first N training images (0: all)")
    args = parser.parse_args(argv)

    import glassnet as gn
    from glassnet.labs._mnist_cnn import load_mnist_images
    from glassnet.labs.mnist_cnn import build_cnn

    (x, y), _ = load_mnist_images(train_limit=args.limit or None, test_limit=1)
    model = build_cnn()
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    before = peak_rss_mb()
    start = time.perf_counter()
    history = model.fit(x, y, epochs=1, batch_size=args.batch_size, verbose=0)
    elapsed = time.perf_counter() - start
    after = peak_rss_mb()
    print(f"glassnet {gn.__version__}: one epoch of {len(x)} images at batch {args.batch_size} "
          f"in {elapsed:.1f} s, training accuracy {history.history['accuracy'][-1]:.4f}")
    print(f"peak RSS: {before:.0f} MB after loading the data, {after:.0f} MB after the epoch "
          f"(target: under 2048 MB)")
    return 0 if after < 2048 else 1


if __name__ == "__main__":
    sys.exit(main())
