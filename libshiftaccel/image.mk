# PNG images and preprocessing (resize, channel conversion, normalisation).
LIB_SRCS += libshiftaccel/src/image_png.c libshiftaccel/src/preprocess.c
DEPS_PACKAGES += libpng-dev
