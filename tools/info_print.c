// SPDX-License-Identifier: MIT
/* shiftaccel-info's text and JSON outputs (info_print.h). */
#include "info_print.h"

#include "cli_util.h"
#include "shiftaccel.h"

#define LIB_VERSION_FMT "%d.%d.%d"
#define LIB_VERSION_ARGS SA_LIB_VERSION_MAJOR, SA_LIB_VERSION_MINOR, SA_LIB_VERSION_PATCH

static const char *or_unknown(const char *s)
{
	return s[0] ? s : "unknown";
}

static void print_card_text(FILE *f, const struct info_card *c)
{
	fprintf(f, "ShiftAccel card %s: %s\n", c->pci_addr, info_status_name(c->status));
	if (c->index >= 0)
		fprintf(f, "  index:          %d (--device accel:%d)\n", c->index, c->index);
	fprintf(f, "  ids:            %04x:%04x, subsystem %04x:%04x, revision %02x, class %06x\n",
		c->vendor, c->device, c->subsys_vendor, c->subsys_device, c->revision,
		c->class_code);
	if (c->link_source)
		fprintf(f, "  link:           %s x%d (%s)\n", c->link_speed, c->link_width,
			c->link_source);
	else
		fprintf(f, "  link:           unknown\n");
	if (c->numa_node >= 0)
		fprintf(f, "  numa node:      %d\n", c->numa_node);
	else
		fprintf(f, "  numa node:      none\n");
	fprintf(f, "  driver:         %s\n", c->driver[0] ? c->driver : "none");
	if (c->accel_node[0])
		fprintf(f, "  accel node:     %s (%s%s%s)\n", c->accel_node,
			c->node_readable_writable ? "opened read/write" : "cannot open",
			c->node_mode[0] ? ", " : "", c->node_mode);
	if (c->device_state[0])
		fprintf(f, "  state:          %s\n", c->device_state);
	if (c->fw_version[0])
		fprintf(f, "  firmware:       %s (build %s)\n", c->fw_version,
			or_unknown(c->fw_build_id));
	if (c->have_info)
		fprintf(f, "  hardware:       version %u.%u, revision %u, %u queues, %u contexts\n",
			c->hw_version >> 16, c->hw_version & 0xffff, c->hw_revision, c->num_queues,
			c->num_contexts);
	if (c->reset_count >= 0)
		fprintf(f, "  reset count:    %lld\n", c->reset_count);
	if (c->n_counters) {
		fprintf(f, "  counters:      ");
		for (int i = 0; i < c->n_counters; i++)
			fprintf(f, " %s=%lld", c->counters[i].name, c->counters[i].value);
		fputc('\n', f);
	}
	if (c->hint[0])
		fprintf(f, "  why:            %s\n", c->hint);
}

void info_print_text(FILE *f, const struct info_report *r)
{
	int i;

	fprintf(f, "library:          libshiftaccel " LIB_VERSION_FMT "\n", LIB_VERSION_ARGS);
	if (!r->driver_loaded)
		fprintf(f, "driver:           shiftaccel not loaded\n");
	else
		fprintf(f, "driver:           shiftaccel loaded, version %s\n",
			or_unknown(r->driver_version));
	if (r->lib_probe_error)
		fprintf(f, "library probe:    %s\n", r->lib_probe_error);
	else
		fprintf(f, "library probe:    card at %s\n", r->lib_probe_addr);
	for (i = 0; i < r->n_cards; i++)
		print_card_text(f, &r->cards[i]);
	fprintf(f, "%s\n", r->summary);
}

static void json_key_str(FILE *f, const char *key, const char *value, int last)
{
	fprintf(f, "\"%s\": ", key);
	if (value && value[0])
		cli_json_string(f, value);
	else
		fputs("null", f);
	fputs(last ? "" : ", ", f);
}

static void print_card_json(FILE *f, const struct info_card *c)
{
	int i;

	fputc('{', f);
	if (c->index >= 0)
		fprintf(f, "\"index\": %d, \"device_option\": \"accel:%d\", ", c->index, c->index);
	else
		fputs("\"index\": null, \"device_option\": null, ", f);
	json_key_str(f, "pci_address", c->pci_addr, 0);
	fprintf(f, "\"vendor\": \"%04x\", \"device\": \"%04x\", ", c->vendor, c->device);
	fprintf(f, "\"subsystem_vendor\": \"%04x\", \"subsystem_device\": \"%04x\", ",
		c->subsys_vendor, c->subsys_device);
	fprintf(f, "\"revision\": %u, \"class\": \"%06x\", ", c->revision, c->class_code);
	if (c->link_source)
		fprintf(f, "\"link\": {\"speed\": \"%s\", \"width\": %d, \"source\": \"%s\"}, ",
			c->link_speed, c->link_width, c->link_source);
	else
		fputs("\"link\": null, ", f);
	if (c->numa_node >= 0)
		fprintf(f, "\"numa_node\": %d, ", c->numa_node);
	else
		fputs("\"numa_node\": null, ", f);
	json_key_str(f, "driver", c->driver[0] ? c->driver : "none", 0);
	json_key_str(f, "accel_node", c->accel_node, 0);
	fprintf(f, "\"node_opened\": %s, ", c->node_readable_writable ? "true" : "false");
	json_key_str(f, "node_mode", c->node_mode, 0);
	json_key_str(f, "device_state", c->device_state, 0);
	json_key_str(f, "fw_version", c->fw_version, 0);
	json_key_str(f, "fw_build_id", c->fw_build_id, 0);
	if (c->reset_count >= 0)
		fprintf(f, "\"reset_count\": %lld, ", c->reset_count);
	else
		fputs("\"reset_count\": null, ", f);
	if (c->have_info) {
		char buf[32];

		snprintf(buf, sizeof(buf), "%u.%u", c->hw_version >> 16, c->hw_version & 0xffff);
		fprintf(f,
			"\"hw_version\": \"%s\", \"hw_revision\": %u, \"queues\": %u, "
			"\"contexts\": %u, \"fw_capabilities\": %u, ",
			buf, c->hw_revision, c->num_queues, c->num_contexts, c->fw_capabilities);
	} else {
		fputs("\"hw_version\": null, \"hw_revision\": null, \"queues\": null, "
		      "\"contexts\": null, \"fw_capabilities\": null, ",
		      f);
	}
	fputs("\"counters\": {", f);
	for (i = 0; i < c->n_counters; i++) {
		fputs(i ? ", " : "", f);
		cli_json_string(f, c->counters[i].name);
		fprintf(f, ": %lld", c->counters[i].value);
	}
	fputs("}, ", f);
	json_key_str(f, "status", info_status_name(c->status), 0);
	json_key_str(f, "hint", c->hint, 1);
	fputc('}', f);
}

void info_print_json(FILE *f, const struct info_report *r)
{
	int i;

	fputs("{\"library_version\": \"", f);
	fprintf(f, LIB_VERSION_FMT, LIB_VERSION_ARGS);
	fprintf(f, "\", \"driver_loaded\": %s, ", r->driver_loaded ? "true" : "false");
	json_key_str(f, "driver_version", r->driver_version, 0);
	fputs("\"library_probe\": {", f);
	fprintf(f, "\"found\": %s, ", r->lib_probe_error ? "false" : "true");
	json_key_str(f, "pci_address", r->lib_probe_error ? "" : r->lib_probe_addr, 0);
	json_key_str(f, "message", r->lib_probe_error, 1);
	fputs("}, \"cards\": [", f);
	for (i = 0; i < r->n_cards; i++) {
		fputs(i ? ", " : "", f);
		print_card_json(f, &r->cards[i]);
	}
	fprintf(f, "], \"usable_cards\": %d, ", r->n_usable);
	json_key_str(f, "summary", r->summary, 1);
	fputs("}\n", f);
}
