"""Keras 2's ``ImageDataGenerator``: batches of images, augmented at random, for ``fit``.

``ImageDataGenerator(...)`` holds the settings; ``.flow(x, y)`` returns a ``NumpyArrayIterator``,
a ``keras.utils.Sequence`` whose batch ``i`` is freshly augmented every time it is read, so
``model.fit(datagen.flow(x, y, batch_size=32), epochs=10)`` sees new variants every epoch.

What one image goes through, in Keras's order:

1. the random geometric transform: rotation, shift, shear, zoom and flips, composed into one
   affine map per image and resampled (bilinear, ``fill_mode`` outside the image) by the same
   sampler as the ``RandomRotation``/``RandomTranslation``/``RandomZoom`` layers
   (``glassnet.layers.preprocessing.affine``), the whole batch at once;
2. ``channel_shift_range`` (one random offset added to every channel, clipped to the image's
   range) and ``brightness_range`` (the image times a random factor);
3. ``standardize``: ``preprocessing_function``, ``rescale``, the per-image centring/scaling
   (``samplewise_*``), then the per-channel ones learnt by ``.fit(x)`` (``featurewise_*``) and
   ZCA whitening.

Differences from Keras 2, on purpose: images are channels-last inside (``data_format=
"channels_first"`` is transposed in and out); ``brightness_range`` multiplies the values as they
are (Keras 2 went through a PIL image, which also rescaled them to 0-255);
``flow_from_directory``/``flow_from_dataframe`` are not here (glassnet reads no image files).

Example:
    >>> datagen = ImageDataGenerator(rescale=1 / 255, rotation_range=20, width_shift_range=0.1,
    ...                              horizontal_flip=True, validation_split=0.2)
    >>> train = datagen.flow(x_train, y_train, batch_size=32, subset="training")
    >>> val = datagen.flow(x_train, y_train, batch_size=32, subset="validation")
    >>> model.fit(train, validation_data=val, epochs=5)                     # doctest: +SKIP
"""
from __future__ import annotations

import math
import warnings

import numpy as np

from glassnet import backend, config

__all__ = ["ImageDataGenerator", "NumpyArrayIterator"]

_FILL_MODES = ("constant", "nearest", "reflect", "wrap")


def _zoom_bounds(zoom_range) -> tuple:
    if isinstance(zoom_range, (int, float)) and not isinstance(zoom_range, bool):
        return 1 - float(zoom_range), 1 + float(zoom_range)
    if isinstance(zoom_range, (list, tuple)) and len(zoom_range) == 2:
        return float(zoom_range[0]), float(zoom_range[1])
    raise ValueError(f"ImageDataGenerator: expected zoom_range to be a float or a pair [lower, upper], "
                     f"received {zoom_range!r}")


class ImageDataGenerator:
    """Random image augmentation and standardisation for ``fit`` (Keras 2's class, same arguments).

    Args:
        featurewise_center: subtract the per-channel mean learnt by ``fit(x)``.
        samplewise_center: subtract each image's own mean.
        featurewise_std_normalization: divide by the per-channel std learnt by ``fit(x)``.
        samplewise_std_normalization: divide each image by its own std.
        zca_whitening: apply the ZCA whitening learnt by ``fit(x)``; ``zca_epsilon`` regularises.
        rotation_range: degrees; each image is rotated by a uniform angle in ``[-r, r]``.
        width_shift_range, height_shift_range: a float < 1 is a fraction of the width/height
            (uniform in ``[-f, f]``), a number >= 1 pixels; a list: one of its values, either sign.
        brightness_range: ``(low, high)``: each image is multiplied by a uniform factor in it.
        shear_range: shear angle in degrees, uniform in ``[-s, s]``.
        zoom_range: a float ``z`` (zoom uniform in ``[1 - z, 1 + z]`` per axis) or ``[low, high]``;
            above 1 the content gets smaller, as in Keras.
        channel_shift_range: each image gets a uniform offset in ``[-r, r]`` added, then is
            clipped to its own range.
        fill_mode: ``"nearest"`` (default), ``"constant"``, ``"reflect"`` or ``"wrap"``: what is
            read from outside the image; ``cval`` is the constant.
        horizontal_flip, vertical_flip: flip half the images at random.
        rescale: multiply every value by this (``1 / 255``), after the augmentation.
        preprocessing_function: called on each augmented image (an array ``(h, w, c)``), which it
            returns with the same shape.
        data_format: ``"channels_last"`` or ``"channels_first"`` (default: ``config.image_data_format()``).
        validation_split: fraction of the images that ``flow(..., subset="validation")`` serves
            (the first ones, as Keras takes them); ``subset="training"`` gets the rest.
        interpolation_order: 1 (bilinear, Keras's default) or 0 (nearest).
        dtype: dtype of the batches (default ``config.floatx()``).

    Example:
        >>> datagen = ImageDataGenerator(rotation_range=40, zoom_range=0.2, horizontal_flip=True)
        >>> batch_x, batch_y = datagen.flow(x, y, batch_size=16, seed=0)[0]
        >>> model.fit(datagen.flow(x, y, batch_size=16), epochs=3)          # doctest: +SKIP
    """

    def __init__(self, featurewise_center=False, samplewise_center=False, featurewise_std_normalization=False,
                 samplewise_std_normalization=False, zca_whitening=False, zca_epsilon=1e-6, rotation_range=0,
                 width_shift_range=0.0, height_shift_range=0.0, brightness_range=None, shear_range=0.0,
                 zoom_range=0.0, channel_shift_range=0.0, fill_mode="nearest", cval=0.0, horizontal_flip=False,
                 vertical_flip=False, rescale=None, preprocessing_function=None, data_format=None,
                 validation_split=0.0, interpolation_order=1, dtype=None):
        if fill_mode not in _FILL_MODES:
            raise ValueError(f"ImageDataGenerator: expected fill_mode in {list(_FILL_MODES)}, received {fill_mode!r}")
        data_format = data_format or config.image_data_format()
        if data_format not in ("channels_last", "channels_first"):
            raise ValueError(f"ImageDataGenerator: expected data_format 'channels_last' or 'channels_first', "
                             f"received {data_format!r}")
        if not 0 <= validation_split < 1:
            raise ValueError(f"ImageDataGenerator: expected validation_split in [0, 1), received {validation_split!r}")
        if brightness_range is not None and (not isinstance(brightness_range, (list, tuple))
                                             or len(brightness_range) != 2):
            raise ValueError(f"ImageDataGenerator: expected brightness_range to be a pair (low, high), received "
                             f"{brightness_range!r}")
        if interpolation_order not in (0, 1):
            raise ValueError(f"ImageDataGenerator: interpolation_order must be 0 (nearest) or 1 (bilinear), "
                             f"received {interpolation_order!r}")
        self.featurewise_center, self.samplewise_center = featurewise_center, samplewise_center
        self.featurewise_std_normalization = featurewise_std_normalization
        self.samplewise_std_normalization = samplewise_std_normalization
        self.zca_whitening, self.zca_epsilon = zca_whitening, zca_epsilon
        self.rotation_range, self.shear_range = float(rotation_range), float(shear_range)
        self.width_shift_range, self.height_shift_range = width_shift_range, height_shift_range
        self.brightness_range, self.channel_shift_range = brightness_range, float(channel_shift_range)
        self.zoom_range = _zoom_bounds(zoom_range)
        self.fill_mode, self.cval = fill_mode, float(cval)
        self.horizontal_flip, self.vertical_flip = horizontal_flip, vertical_flip
        self.rescale, self.preprocessing_function = rescale, preprocessing_function
        self.data_format, self.validation_split = data_format, float(validation_split)
        self.interpolation_order = interpolation_order
        self.dtype = dtype or backend.floatx()
        self.mean = self.std = self.zca_whitening_matrix = None
        if zca_whitening and not featurewise_center:
            featurewise_center = self.featurewise_center = True  # Keras: ZCA implies centring
            warnings.warn("ImageDataGenerator: zca_whitening implies featurewise_center; setting it", stacklevel=2)

    # ------------------------------------------------------------------ data layout
    def _to_last(self, x):
        return np.moveaxis(x, -3, -1) if self.data_format == "channels_first" else x

    def _from_last(self, x):
        return np.moveaxis(x, -1, -3) if self.data_format == "channels_first" else x

    # ------------------------------------------------------------------ random transforms
    def _shifts(self, shift_range, size, n, rng):
        """Keras's reading of ``width/height_shift_range``: pixels for each of ``n`` images."""
        if not shift_range:
            return np.zeros(n)
        if isinstance(shift_range, (list, tuple, np.ndarray)):
            values = np.asarray(shift_range, dtype=np.float64)
            shift = rng.choice(values, size=n) * rng.choice([-1.0, 1.0], size=n)
            limit = float(np.max(np.abs(values)))
        elif isinstance(shift_range, (int, np.integer)) and not isinstance(shift_range, bool):
            shift = rng.integers(0, int(shift_range), size=n) * rng.choice([-1.0, 1.0], size=n)  # whole pixels
            limit = float(shift_range)
        else:
            shift = rng.uniform(-float(shift_range), float(shift_range), size=n)
            limit = float(shift_range)
        return shift * size if limit < 1 else shift

    def get_random_transform(self, img_shape, seed=None, n=None, rng=None) -> dict:
        """The random parameters for one image (or, with ``n``, arrays for ``n`` images), as Keras
        names them: ``theta`` (degrees), ``tx``/``ty`` (pixels, rows/columns), ``shear``
        (degrees), ``zx``/``zy``, ``flip_horizontal``/``flip_vertical``,
        ``channel_shift_intensity``, ``brightness``.

        Example:
            >>> ImageDataGenerator(rotation_range=30).get_random_transform((32, 32, 3), seed=1)["theta"]
        """
        rng = rng if rng is not None else backend.make_rng(seed)
        count = 1 if n is None else n
        h, w = (img_shape[-2], img_shape[-1]) if self.data_format == "channels_first" else img_shape[-3:-1]
        params = {
            "theta": rng.uniform(-self.rotation_range, self.rotation_range, count) if self.rotation_range
            else np.zeros(count),
            "tx": self._shifts(self.height_shift_range, h, count, rng),
            "ty": self._shifts(self.width_shift_range, w, count, rng),
            "shear": rng.uniform(-self.shear_range, self.shear_range, count) if self.shear_range else np.zeros(count),
        }
        if self.zoom_range == (1.0, 1.0):
            params["zx"], params["zy"] = np.ones(count), np.ones(count)
        else:
            params["zx"], params["zy"] = rng.uniform(*self.zoom_range, size=(2, count))
        params["flip_horizontal"] = (rng.random(count) < 0.5) & bool(self.horizontal_flip)
        params["flip_vertical"] = (rng.random(count) < 0.5) & bool(self.vertical_flip)
        params["channel_shift_intensity"] = (rng.uniform(-self.channel_shift_range, self.channel_shift_range, count)
                                             if self.channel_shift_range else None)
        params["brightness"] = rng.uniform(*self.brightness_range, count) if self.brightness_range else None
        if n is None:
            params = {k: (None if v is None else v[0].item()) for k, v in params.items()}
        return params

    def _matrices(self, params, h, w):
        """Per image, the backward affine map (output pixel -> input position, in (column, row)
        coordinates, as ``affine_sample`` takes it): Keras's ``rotation @ shift @ shear @ zoom``
        about the image centre, then the flips. As in tf.keras 2.x (whose matrix, after its axis
        swap, also acts on (column, row)), ``tx`` and ``zx`` act along the columns and ``ty``
        and ``zy`` along the rows, so the same parameters move an image the same way there.
        (Keras centres the columns with the height: the same for square images.)"""
        theta, shear = np.deg2rad(params["theta"]), np.deg2rad(params["shear"])
        n = len(theta)
        one, zero = np.ones(n), np.zeros(n)

        def stack(rows):  # 3 x 3 matrices from rows of per-image values
            return np.stack([np.stack([np.broadcast_to(np.asarray(v, np.float64), (n,)) for v in row], -1)
                             for row in rows], -2)
        rotation = stack([[np.cos(theta), -np.sin(theta), zero], [np.sin(theta), np.cos(theta), zero],
                          [zero, zero, one]])
        shift = stack([[one, zero, params["tx"]], [zero, one, params["ty"]], [zero, zero, one]])
        shear_m = stack([[one, -np.sin(shear), zero], [zero, np.cos(shear), zero], [zero, zero, one]])
        zoom = stack([[params["zx"], zero, zero], [zero, params["zy"], zero], [zero, zero, one]])
        cu, cv = (w - 1) / 2, (h - 1) / 2
        to_centre = stack([[one, zero, -cu], [zero, one, -cv], [zero, zero, one]])
        back = stack([[one, zero, cu], [zero, one, cv], [zero, zero, one]])
        # the flips come after the affine map in Keras: output pixel (u, v) reads the affine
        # result at (w - 1 - u, v), i.e. the flip is applied to the output coordinates first
        hflip, vflip = np.asarray(params["flip_horizontal"], bool), np.asarray(params["flip_vertical"], bool)
        flips = stack([[np.where(hflip, -1.0, 1.0), zero, np.where(hflip, w - 1.0, 0.0)],
                       [zero, np.where(vflip, -1.0, 1.0), np.where(vflip, h - 1.0, 0.0)], [zero, zero, one]])
        matrix = back @ rotation @ shift @ shear_m @ zoom @ to_centre @ flips
        return matrix[:, :2, :]

    def apply_transform(self, x, transform_parameters: dict):
        """Apply the parameters of ``get_random_transform`` to one image ``(h, w, c)`` (or to a
        batch, with array parameters)."""
        x = np.asarray(x)
        single = x.ndim == 3
        batch = self._to_last(x[None] if single else x)
        params = _identity(len(batch))  # a parameter not given leaves the image alone, as in Keras
        params.update({k: (None if v is None else np.broadcast_to(np.atleast_1d(np.asarray(v)), (len(batch),)))
                       for k, v in transform_parameters.items()})
        out = self._transform_batch(batch.astype(self.dtype, copy=False), params)
        out = self._from_last(out)
        return out[0] if single else out

    def _transform_batch(self, images, params):
        from glassnet.layers.preprocessing.affine import affine_sample  # the layers' sampler, shared
        n, h, w, _ = images.shape
        matrices = self._matrices(params, h, w)
        if not np.allclose(matrices, self._matrices(_identity(n), h, w)):
            images = backend.to_host(affine_sample(images, matrices, interpolation="bilinear" if
                                                   self.interpolation_order else "nearest",
                                                   fill_mode=self.fill_mode, fill_value=self.cval))
        if params.get("channel_shift_intensity") is not None:
            low = images.min(axis=(1, 2, 3), keepdims=True)
            high = images.max(axis=(1, 2, 3), keepdims=True)
            shift = params["channel_shift_intensity"].reshape(n, 1, 1, 1).astype(images.dtype)
            images = np.clip(images + shift, low, high)
        if params.get("brightness") is not None:
            images = images * params["brightness"].reshape(n, 1, 1, 1).astype(images.dtype)
        return images

    def random_transform(self, x, seed=None):
        """One image ``(h, w, c)`` (channels as ``data_format``) with a random transform applied.

        Example:
            >>> ImageDataGenerator(horizontal_flip=True).random_transform(image, seed=0).shape
        """
        return self.apply_transform(x, self.get_random_transform(np.shape(x), seed))

    # ------------------------------------------------------------------ standardisation
    def standardize(self, x):
        """``preprocessing_function``, ``rescale``, then the sample- and feature-wise centring and
        scaling and ZCA whitening, on one image or a batch (Keras's ``standardize``)."""
        x = np.asarray(x, dtype=self.dtype)
        single = x.ndim == 3
        batch = self._to_last(x[None] if single else x).copy()
        if self.preprocessing_function is not None:
            batch = np.stack([np.asarray(self.preprocessing_function(img), dtype=self.dtype) for img in batch])
        if self.rescale:
            batch = batch * np.asarray(self.rescale, dtype=self.dtype)
        if self.samplewise_center:
            batch = batch - batch.mean(axis=(1, 2, 3), keepdims=True)
        if self.samplewise_std_normalization:
            batch = batch / (batch.std(axis=(1, 2, 3), keepdims=True) + 1e-6)
        for wanted, value, what in ((self.featurewise_center, self.mean, "featurewise_center"),
                                    (self.featurewise_std_normalization, self.std, "featurewise_std_normalization"),
                                    (self.zca_whitening, self.zca_whitening_matrix, "zca_whitening")):
            if wanted and value is None:
                warnings.warn(f"ImageDataGenerator specifies {what}, but it has not been fit on any training "
                              f"data: call .fit(x_train) first", stacklevel=2)
        if self.featurewise_center and self.mean is not None:
            batch = batch - self.mean
        if self.featurewise_std_normalization and self.std is not None:
            batch = batch / (self.std + 1e-6)
        if self.zca_whitening and self.zca_whitening_matrix is not None:
            flat = batch.reshape(len(batch), -1)
            batch = (flat @ self.zca_whitening_matrix).reshape(batch.shape).astype(self.dtype)
        batch = self._from_last(batch.astype(self.dtype, copy=False))
        return batch[0] if single else batch

    def fit(self, x, augment=False, rounds=1, seed=None):
        """Learn the statistics that ``featurewise_center``, ``featurewise_std_normalization`` and
        ``zca_whitening`` use, from images ``x`` ``(n, h, w, c)`` (with ``augment``, from
        ``rounds`` randomly augmented copies of them).

        Example:
            >>> datagen = ImageDataGenerator(featurewise_center=True, featurewise_std_normalization=True)
            >>> datagen.fit(x_train)
            >>> datagen.mean.shape     # (1, 1, channels)
        """
        x = np.asarray(x, dtype=self.dtype)
        if x.ndim != 4:
            raise ValueError(f"ImageDataGenerator.fit: expected images of rank 4 (samples, height, width, "
                             f"channels), received shape {x.shape}")
        x = self._to_last(x)
        if augment:
            rng = backend.make_rng(seed)
            x = np.concatenate([self._transform_batch(x, self.get_random_transform(x.shape[1:], n=len(x), rng=rng))
                                for _ in range(int(rounds))])
        if self.featurewise_center:
            self.mean = x.mean(axis=(0, 1, 2)).reshape(1, 1, -1)
            x = x - self.mean
        if self.featurewise_std_normalization:
            self.std = x.std(axis=(0, 1, 2)).reshape(1, 1, -1)
            x = x / (self.std + 1e-6)
        if self.zca_whitening:
            flat = x.reshape(len(x), -1).astype(np.float64)
            sigma = flat.T @ flat / len(flat)
            u, s, _ = np.linalg.svd(sigma)
            self.zca_whitening_matrix = ((u / np.sqrt(s[None] + self.zca_epsilon)) @ u.T).astype(self.dtype)
        return self  # (mean and std are (1, 1, channels): standardize works channels-last inside)

    # ------------------------------------------------------------------ iterators
    def flow(self, x, y=None, batch_size=32, shuffle=True, sample_weight=None, seed=None, save_to_dir=None,
             save_prefix="", save_format="png", ignore_class_split=False, subset=None):
        """A ``NumpyArrayIterator`` over ``x`` (and ``y``, ``sample_weight``): batches of augmented,
        standardised images, to give to ``fit``/``evaluate``/``predict``.

        Args:
            x: images ``(n, h, w, c)`` (channels as ``data_format``).
            y: labels/targets, one per image (None: batches are images only).
            batch_size: images per batch (the last batch may be smaller).
            shuffle: reshuffle the order at every epoch.
            sample_weight: one weight per image; batches are then ``(x, y, sample_weight)``.
            seed: seed for the order and the augmentation.
            subset: ``"training"`` or ``"validation"`` with ``validation_split``.

        Example:
            >>> it = ImageDataGenerator(zoom_range=0.1).flow(x, y, batch_size=8, seed=0)
            >>> len(it), it[0][0].shape
        """
        if save_to_dir is not None:
            raise ValueError("ImageDataGenerator.flow: save_to_dir is not supported by glassnet (it writes no "
                             "image files); save the batches yourself if you need them")
        return NumpyArrayIterator(x, y, self, batch_size=batch_size, shuffle=shuffle, sample_weight=sample_weight,
                                  seed=seed, subset=subset, ignore_class_split=ignore_class_split)

    def flow_from_directory(self, *args, **kwargs):
        raise NotImplementedError("ImageDataGenerator.flow_from_directory is not in glassnet (it reads no image "
                                  "files); load the images into an array and use .flow(x, y)")

    def flow_from_dataframe(self, *args, **kwargs):
        raise NotImplementedError("ImageDataGenerator.flow_from_dataframe is not in glassnet (it reads no image "
                                  "files); load the images into an array and use .flow(x, y)")


def _identity(n):
    zeros = np.zeros(n)
    return {"theta": zeros, "tx": zeros, "ty": zeros, "shear": zeros, "zx": np.ones(n), "zy": np.ones(n),
            "flip_horizontal": np.zeros(n, bool), "flip_vertical": np.zeros(n, bool)}


class NumpyArrayIterator:
    """Batches of ``ImageDataGenerator.flow``: a ``keras.utils.Sequence`` (``len()`` batches,
    ``it[i]`` batch ``i``, ``on_epoch_end()`` reshuffles) that is also an endless iterator
    (``next(it)``, as Keras 2 loops used it). Every read augments anew.

    Example:
        >>> it = ImageDataGenerator(horizontal_flip=True).flow(x, y, batch_size=4, seed=0)
        >>> xb, yb = next(it)
    """

    def __init__(self, x, y, image_data_generator, batch_size=32, shuffle=False, sample_weight=None, seed=None,
                 subset=None, ignore_class_split=False):
        x = np.asarray(x)
        if x.ndim != 4:
            raise ValueError(f"ImageDataGenerator.flow: expected images of rank 4 (samples, height, width, "
                             f"channels), received shape {x.shape}")
        if y is not None and len(y) != len(x):
            raise ValueError(f"ImageDataGenerator.flow: x and y must have the same length, received {len(x)} and "
                             f"{len(y)}")
        if sample_weight is not None and len(sample_weight) != len(x):
            raise ValueError(f"ImageDataGenerator.flow: x and sample_weight must have the same length, received "
                             f"{len(x)} and {len(sample_weight)}")
        if isinstance(batch_size, bool) or not isinstance(batch_size, (int, np.integer)) or batch_size <= 0:
            raise ValueError(f"ImageDataGenerator.flow: expected a positive integer batch_size, received "
                             f"{batch_size!r}")
        gen = image_data_generator
        if subset is not None:
            if subset not in ("training", "validation"):
                raise ValueError(f"ImageDataGenerator.flow: expected subset 'training' or 'validation', received "
                                 f"{subset!r}")
            if not gen.validation_split:
                raise ValueError("ImageDataGenerator.flow: subset needs ImageDataGenerator(validation_split=...)")
            split = int(len(x) * gen.validation_split)
            if y is not None and not ignore_class_split and np.asarray(y).ndim == 1:
                # as Keras: a split that leaves classes out of one part would quietly train or
                # validate on fewer classes (sort or shuffle the data first)
                y_arr = np.asarray(y)
                if set(np.unique(y_arr[:split])) != set(np.unique(y_arr[split:])):
                    raise ValueError("ImageDataGenerator.flow: the training and validation subsets have different "
                                     "classes after the split (the first validation_split of the data is the "
                                     "validation subset); shuffle the data first, or pass ignore_class_split=True")
            part = slice(None, split) if subset == "validation" else slice(split, None)
            x = x[part]
            y = None if y is None else np.asarray(y)[part]
            sample_weight = None if sample_weight is None else np.asarray(sample_weight)[part]
        self.x = x
        self.y = None if y is None else np.asarray(y)
        self.sample_weight = None if sample_weight is None else np.asarray(sample_weight)
        self.image_data_generator, self.batch_size = gen, int(batch_size)
        self.shuffle, self.seed, self.n = bool(shuffle), seed, len(x)
        if self.n == 0:
            raise ValueError(f"ImageDataGenerator.flow: no images{'' if subset is None else ' in subset ' + subset}")
        self._rng = backend.make_rng(seed)
        self.batch_index, self.total_batches_seen = 0, 0
        self.index_array = None

    def _set_index_array(self):
        self.index_array = self._rng.permutation(self.n) if self.shuffle else np.arange(self.n)

    def __len__(self) -> int:
        return math.ceil(self.n / self.batch_size)

    def __getitem__(self, idx):
        if not 0 <= idx < len(self):
            raise IndexError(f"asked for batch {idx} of a Sequence of length {len(self)}")
        if self.index_array is None:
            self._set_index_array()
        self.total_batches_seen += 1
        return self._batch(self.index_array[self.batch_size * idx:self.batch_size * (idx + 1)])

    def on_epoch_end(self):
        """Reshuffle (Keras calls it after every epoch)."""
        self._set_index_array()

    def reset(self):
        self.batch_index = 0

    def __iter__(self):
        return self

    def __next__(self):
        if self.index_array is None or self.batch_index == 0 and self.total_batches_seen:
            self._set_index_array()
        start = self.batch_index * self.batch_size
        index = self.index_array[start:start + self.batch_size]
        self.batch_index = (self.batch_index + 1) % len(self)
        self.total_batches_seen += 1
        return self._batch(index)

    next = __next__  # Keras 2 programs call it.next()

    def _batch(self, index):
        gen = self.image_data_generator
        images = gen._to_last(self.x[index].astype(gen.dtype))
        params = gen.get_random_transform(images.shape[1:] if gen.data_format == "channels_last"
                                          else (images.shape[3],) + images.shape[1:3], n=len(index), rng=self._rng)
        images = gen._transform_batch(images, params)
        batch_x = gen.standardize(gen._from_last(images))
        if self.y is None:
            return batch_x
        if self.sample_weight is None:
            return batch_x, self.y[index]
        return batch_x, self.y[index], self.sample_weight[index]
