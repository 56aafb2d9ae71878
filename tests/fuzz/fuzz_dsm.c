// SPDX-License-Identifier: MIT
/*
 * libFuzzer target for the .dsm reader.
 *
 * Each input is opened twice: as given (which mostly exercises the header
 * and checksum checks, since a random mutation breaks the CRC) and
 * "repaired", with file_size and the checksum fixed up, so mutations reach
 * the section, tensor and graph validation behind the checksum.  When the
 * reader accepts a file, every tensor, node, label and metadata entry is
 * touched and the guarantees of model.h are asserted: a violation traps and
 * libFuzzer reports it like a crash.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../libshiftaccel/src/dsm.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static volatile uint64_t sink; /* keeps the reads from being optimised away */

#define REQUIRE(cond)                                                                              \
	do {                                                                                       \
		if (!(cond))                                                                       \
			__builtin_trap();                                                          \
	} while (0)

static void touch_tensor(const struct sa_model_tensor *t)
{
	uint64_t sum = strlen(t->name);

	if (t->kind == DSM_TENSOR_ACTIVATION) {
		REQUIRE(t->data == NULL && t->rank == 3);
		REQUIRE(t->shape.c && t->shape.h && t->shape.w);
		REQUIRE(t->elems == (uint64_t)t->shape.c * t->shape.h * t->shape.w);
		REQUIRE(t->elems <= SA_MAX_ACTIVATION_ELEMS);
		sink += sum;
		return;
	}
	REQUIRE(t->kind == DSM_TENSOR_CONSTANT && t->data != NULL);
	REQUIRE(t->elems >= 1 && t->elems <= DSM_MAX_TENSOR_ELEMS);
	const uint8_t *bytes = t->data;
	for (uint64_t i = 0; i < t->data_size; i++)
		sum += bytes[i];
	if (t->dtype == SA_DTYPE_SHIFT) {
		REQUIRE(t->data_size == sa_weight_packed_size(t->elems, t->weight_bits));
		int8_t *k = malloc(t->elems);
		REQUIRE(k != NULL);
		REQUIRE(sa_weight_unpack(t->data, t->elems, t->weight_bits, k) == 0);
		for (uint64_t i = 0; i < t->elems; i++)
			REQUIRE(k[i] >= -SA_WEIGHT_K_MAX(t->weight_bits) &&
				k[i] <= SA_WEIGHT_K_MAX(t->weight_bits));
		free(k);
	} else {
		REQUIRE(t->dtype == SA_DTYPE_I32 && t->data_size == 4 * t->elems);
	}
	sink += sum;
}

static void touch_model(const sa_model *m)
{
	struct sa_model_info info;
	REQUIRE(sa_model_get_info(m, &info) == SA_OK);
	REQUIRE(info.num_nodes >= 1 && info.num_tensors == m->num_tensors);
	REQUIRE(info.input_c >= 1 && info.input_c <= SA_MAX_INPUT_CHANNELS);
	for (uint32_t c = 0; c < info.input_c; c++)
		REQUIRE(info.std[c] > 0.0f);

	for (uint32_t i = 0; i < m->num_tensors; i++)
		touch_tensor(&m->tensors[i]);
	for (uint32_t i = 0; i < m->num_nodes; i++) {
		const struct sa_model_node *n = &m->nodes[i];
		REQUIRE(n->inputs[0] < m->num_tensors && n->output < m->num_tensors);
		REQUIRE(dsm_op_num_inputs(n->op) == 2 ? n->inputs[1] < m->num_tensors
						      : n->inputs[1] == DSM_NONE);
		REQUIRE(n->weights == DSM_NONE || n->weights < m->num_tensors);
		REQUIRE(n->bias == DSM_NONE || n->bias < m->num_tensors);
		REQUIRE(n->rec->op == n->op);
		for (size_t k = 0; k < sizeof(n->rec->params.raw); k++)
			sink += n->rec->params.raw[k];
	}
	REQUIRE(info.num_labels == 0 || info.num_labels == info.num_outputs);
	for (uint32_t i = 0; i < info.num_labels; i++)
		sink += strlen(sa_model_label(m, i));
	REQUIRE(sa_model_label(m, info.num_labels) == NULL);
	const char *key, *value;
	uint32_t i = 0;
	while (sa_model_meta_at(m, i++, &key, &value) == SA_OK) {
		REQUIRE(key[0] != '\0');
		REQUIRE(sa_model_meta(m, key) == value); /* keys are unique */
		sink += strlen(value);
	}
}

static void open_and_touch(const uint8_t *data, size_t size)
{
	static const char prefix[] = "fuzz.dsm: ";
	sa_model *m = NULL;

	if (sa_model_open_memory(data, size, "fuzz.dsm", &m) != SA_OK) {
		/* Every rejection says which file and why. */
		REQUIRE(strncmp(sa_last_error(), prefix, sizeof(prefix) - 1) == 0);
		REQUIRE(strlen(sa_last_error()) > sizeof(prefix));
		return;
	}
	touch_model(m);
	sa_model_close(m);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	open_and_touch(data, size);
	if (size < sizeof(struct dsm_header))
		return 0;

	uint8_t *repaired = malloc(size);
	if (!repaired)
		return 0;
	memcpy(repaired, data, size);
	uint64_t file_size = size;
	memcpy(repaired + offsetof(struct dsm_header, file_size), &file_size, sizeof(file_size));
	uint32_t crc = dsm_checksum(repaired, size);
	memcpy(repaired + DSM_CHECKSUM_OFFSET, &crc, sizeof(crc));
	open_and_touch(repaired, size);
	free(repaired);
	return 0;
}
