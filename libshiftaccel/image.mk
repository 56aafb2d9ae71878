# PNG images and preprocessing (resize, channel conversion, normalisation).
IMAGE_READ_SRCS := libshiftaccel/src/image_png.c libshiftaccel/src/image_alpha.c \
	libshiftaccel/src/image_signature.c libshiftaccel/src/png_chunks.c
LIB_SRCS += $(IMAGE_READ_SRCS) libshiftaccel/src/preprocess.c \
	libshiftaccel/src/preprocess_image.c libshiftaccel/src/resize_taps.c libshiftaccel/src/prep_levels.c \
	libshiftaccel/src/prep_frame.c libshiftaccel/src/prep_style.c
DEPS_PACKAGES += libpng-dev
