// SPDX-License-Identifier: MIT
/*
 * Firmware images (tools/fwimage.c): what mkfwimage builds passes every
 * check a loader makes, and each check refuses the damage it is for, with a
 * message naming it.  The header is re-checksummed after each edit, so the
 * later checks (not just the CRC) are the ones exercised.
 */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "../check.h"
#include "../../libshiftaccel/src/crc32c.h"
#include "../../tools/fwimage.h"

static uint8_t code[1024];

static void make_code(void)
{
	struct sa_fw_trailer t = {.magic = SA_FW_TRAILER_MAGIC};

	for (size_t i = 0; i < sizeof(code); i++)
		code[i] = (uint8_t)(i * 13 + 1);
	memcpy(code + sizeof(code) - sizeof(t), &t, sizeof(t));
}

static uint8_t *build(size_t *size)
{
	uint8_t *image = NULL;
	char why[256];

	make_code();
	if (sa_fw_image_build(code, sizeof(code), 0, &image, size, why, sizeof(why)))
		return NULL;
	return image;
}

/* Edits the header through `edit`, fixes its CRC, and returns the check's message. */
static const char *check_edited(void (*edit)(struct sa_fw_header *h, uint8_t *image))
{
	static char why[256];
	struct sa_fw_header h;
	size_t size;
	uint8_t *image = build(&size);

	if (!image)
		return "build failed";
	memcpy(&h, image, sizeof(h));
	edit(&h, image);
	h.header_crc = sa_crc32c(0, &h, offsetof(struct sa_fw_header, header_crc));
	memcpy(image, &h, sizeof(h));
	why[0] = 0;
	if (sa_fw_image_check(image, size, &h, why, sizeof(why)) == 0)
		strcpy(why, "accepted");
	free(image);
	return why;
}

static void nothing(struct sa_fw_header *h, uint8_t *image)
{
	(void)h;
	(void)image;
}
static void major_up(struct sa_fw_header *h, uint8_t *image)
{
	(void)image;
	h->version_major++;
}
static void minor_newer(struct sa_fw_header *h, uint8_t *image)
{
	(void)image;
	h->version_minor = SA_FW_VERSION_MINOR + 7;
	h->version_patch = 77;
}
static void hw_major(struct sa_fw_header *h, uint8_t *image)
{
	(void)image;
	h->hw_version += 1u << 16;
}
static void reserved_word(struct sa_fw_header *h, uint8_t *image)
{
	(void)image;
	h->reserved[3] = 1;
}
static void entry_outside(struct sa_fw_header *h, uint8_t *image)
{
	(void)image;
	h->entry = h->iram.size;
}
static void segment_past_file(struct sa_fw_header *h, uint8_t *image)
{
	(void)image;
	h->dram.offset = h->image_size - 4;
	h->dram.size = 8;
	h->dram.load_addr = SA_CP_DRAM_BASE;
}
static void segment_past_iram(struct sa_fw_header *h, uint8_t *image)
{
	(void)image;
	h->iram.load_addr = SA_CP_IRAM_SIZE - 512;
}
static void build_id(struct sa_fw_header *h, uint8_t *image)
{
	(void)image;
	h->build_id ^= 1;
}
static void code_byte(struct sa_fw_header *h, uint8_t *image)
{
	/* Damage the code and fix the payload CRC: only the trailer can tell. */
	image[h->iram.offset + 100] ^= 0xff;
	h->payload_crc = sa_crc32c(0, image + h->header_size, h->image_size - h->header_size);
}

TEST(built_image_passes_every_check)
{
	struct sa_fw_header h;
	struct sa_fw_trailer t;
	char why[256];
	size_t size;
	uint8_t *image = build(&size);

	CHECK(image);
	CHECK_EQ_INT(size, sizeof(h) + sizeof(code));
	CHECK_EQ_INT(sa_fw_image_check(image, size, &h, why, sizeof(why)), 0);
	CHECK_EQ_INT(h.magic, SA_FW_MAGIC);
	CHECK_EQ_INT(h.version_major, SA_FW_VERSION_MAJOR);
	CHECK_EQ_INT(h.entry, SA_CP_IRAM_BASE);
	CHECK_EQ_INT(h.iram.size, sizeof(code));
	CHECK_EQ_INT(h.dram.size, 0);
	memcpy(&t, image + sizeof(h) + sizeof(code) - sizeof(t), sizeof(t));
	CHECK_EQ_INT(t.covered, sizeof(code) - sizeof(t));
	CHECK_EQ_INT(t.crc, sa_crc32c(0, code, sizeof(code) - sizeof(t)));
	CHECK_EQ_INT(t.build_id, h.build_id);
	/* Deterministic: the same code gives the same bytes. */
	{
		size_t size2;
		uint8_t *again = build(&size2);

		CHECK(again && size2 == size && memcmp(again, image, size) == 0);
		free(again);
	}
	free(image);
}

TEST(each_check_refuses_its_damage)
{
	CHECK_STR_CONTAINS(check_edited(nothing), "accepted");
	CHECK_STR_CONTAINS(check_edited(major_up), "not compatible");
	/* A newer minor is fine (and the patch never matters). */
	CHECK_STR_CONTAINS(check_edited(minor_newer), "accepted");
	CHECK_STR_CONTAINS(check_edited(hw_major), "card spec");
	CHECK_STR_CONTAINS(check_edited(reserved_word), "reserved header word 3");
	CHECK_STR_CONTAINS(check_edited(entry_outside), "entry");
	CHECK_STR_CONTAINS(check_edited(segment_past_file), "data segment");
	CHECK_STR_CONTAINS(check_edited(segment_past_iram), "code segment");
	CHECK_STR_CONTAINS(check_edited(build_id), "build id");
	CHECK_STR_CONTAINS(check_edited(code_byte), "trailer");
}

static bool compatible(unsigned drv_major, unsigned drv_minor, unsigned fw_major, unsigned fw_minor)
{
	return SA_FW_VERSION_COMPATIBLE(drv_major, drv_minor, fw_major, fw_minor);
}

TEST(version_window)
{
	/* Same major; firmware minor newer, equal, or at most the window older. */
	CHECK(compatible(1, 6, 1, 9));
	CHECK(compatible(1, 6, 1, 6));
	CHECK(compatible(1, 6, 1, 6 - SA_FW_COMPAT_MINOR_WINDOW));
	CHECK(!compatible(1, 6, 1, 6 - SA_FW_COMPAT_MINOR_WINDOW - 1));
	CHECK(!compatible(1, 0, 2, 0));
	CHECK(!compatible(2, 0, 1, 9));
	CHECK_EQ_INT(SA_FW_VERSION_WORD_MAJOR(SA_FW_VERSION_WORD(3, 4, 5)), 3);
	CHECK_EQ_INT(SA_FW_VERSION_WORD_MINOR(SA_FW_VERSION_WORD(3, 4, 5)), 4);
	CHECK_EQ_INT(SA_FW_VERSION_WORD_PATCH(SA_FW_VERSION_WORD(3, 4, 5)), 5);
}

TEST(raw_damage)
{
	char why[256];
	struct sa_fw_header h;
	size_t size;
	uint8_t *image = build(&size);

	CHECK(image);
	CHECK(sa_fw_image_check(image, 100, &h, why, sizeof(why)) != 0);
	CHECK_STR_CONTAINS(why, "shorter than");
	CHECK(sa_fw_image_check(image, size - 4, &h, why, sizeof(why)) != 0);
	CHECK_STR_CONTAINS(why, "the file has");
	image[0] ^= 1;
	CHECK(sa_fw_image_check(image, size, &h, why, sizeof(why)) != 0);
	CHECK_STR_CONTAINS(why, "magic");
	image[0] ^= 1;
	image[20] ^= 1;
	CHECK(sa_fw_image_check(image, size, &h, why, sizeof(why)) != 0);
	CHECK_STR_CONTAINS(why, "header checksum");
	image[20] ^= 1;
	image[size - 1] ^= 1;
	CHECK(sa_fw_image_check(image, size, &h, why, sizeof(why)) != 0);
	CHECK_STR_CONTAINS(why, "payload checksum");
	free(image);
}

TEST(build_refuses_code_without_its_trailer)
{
	uint8_t *image = NULL;
	size_t size;
	char why[256];

	make_code();
	code[sizeof(code) - 16] ^= 1; /* trailer magic */
	CHECK(sa_fw_image_build(code, sizeof(code), 0, &image, &size, why, sizeof(why)) != 0);
	CHECK_STR_CONTAINS(why, "trailer");
	make_code();
	CHECK(sa_fw_image_build(code, sizeof(code) - 2, 0, &image, &size, why, sizeof(why)) != 0);
	CHECK_STR_CONTAINS(why, "multiple of 4");
	CHECK(sa_fw_image_build(code, sizeof(code), 2, &image, &size, why, sizeof(why)) != 0);
	CHECK_STR_CONTAINS(why, "entry");
}

int main(int argc, char **argv)
{
	CHECK_MAIN_BEGIN(argc, argv);
	RUN(built_image_passes_every_check);
	RUN(each_check_refuses_its_damage);
	RUN(version_window);
	RUN(raw_damage);
	RUN(build_refuses_code_without_its_trailer);
	CHECK_MAIN_END();
}
