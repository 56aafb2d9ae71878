// SPDX-License-Identifier: MIT
/*
 * Opening the card and its buffer objects (accel_device.h).
 */
#include "accel_device.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "accel_probe.h"
#include "error.h"

#define MAX_CARDS (SA_MAX_CARD_INDEX + 1)

/* The card list, once per open (on the heap: 256 cards would be 24 KiB of stack). */
struct card_list {
	struct sa_drm_card cards[MAX_CARDS];
	int n;
};

/* The open card answers GET_INFO and is ready for descriptors of our size; else it is closed. */
static sa_status check_ready(struct sa_accel_dev *d)
{
	sa_status st;
	int ret;

	ret = sa_drm_get_info(d->fd, &d->info);
	if (ret) {
		st = sa_fail(SA_ERR_DEVICE, "%s: GET_INFO failed: %s", d->node, strerror(-ret));
		sa_accel_dev_close(d);
		return st;
	}
	if (d->info.desc_size != sizeof(struct sa_hw_desc) ||
	    d->info.device_state != SHIFTACCEL_DEVICE_READY) {
		st = sa_fail(SA_ERR_DEVICE,
			     "%s: card not usable (state %u, descriptor size %u, want %zu)",
			     d->node, d->info.device_state, d->info.desc_size,
			     sizeof(struct sa_hw_desc));
		sa_accel_dev_close(d);
		return st;
	}
	return SA_OK;
}

/*
 * Opens card i of l; on failure the message names what was asked and the
 * card, and "accel" goes on to the next card.
 */
static sa_status open_card(struct sa_accel_dev *d, const struct card_list *l, int i,
			   const char *asked)
{
	const struct sa_drm_card *c = &l->cards[i];
	char problem[320];
	int fd;

	sa_accel_card_problem(c, "", problem, sizeof(problem));
	if (problem[0])
		return sa_fail(SA_ERR_NO_DEVICE,
			       "%s: ShiftAccel card found at %s (accel:%d) but %s", asked,
			       c->pci_addr, i, problem);
	fd = sa_drm_open(c->node);
	if (fd == -EDQUOT)
		return sa_fail(SA_ERR_NO_DEVICE,
			       "%s: %s cannot be opened: this user already has as many files of it "
			       "open as the driver allows (shiftaccel module parameter "
			       "user_context_limit)",
			       asked, c->node);
	if (fd < 0)
		return sa_fail(SA_ERR_NO_DEVICE, "%s: %s cannot be opened: %s", asked, c->node,
			       strerror(-fd));
	if (!sa_drm_is_shiftaccel(fd)) {
		close(fd);
		return sa_fail(SA_ERR_NO_DEVICE, "%s: %s is not a node of the %s driver", asked,
			       c->node, SA_DRM_DRIVER_NAME);
	}
	d->fd = fd;
	snprintf(d->node, sizeof(d->node), "%s", c->node);
	d->card.index = (uint32_t)i;
	snprintf(d->card.pci_address, sizeof(d->card.pci_address), "%s", c->pci_addr);
	snprintf(d->card.node, sizeof(d->card.node), "%s", c->node);
	return check_ready(d);
}

/* "accel" and "auto": the first card that opens, else the first card's reason. */
static sa_status open_first(struct sa_accel_dev *d, const struct card_list *l, const char *asked)
{
	char first[512] = "";
	sa_status first_st = SA_ERR_NO_DEVICE;

	for (int i = 0; i < l->n && i < MAX_CARDS; i++) {
		sa_status st = open_card(d, l, i, asked);

		if (st == SA_OK)
			return SA_OK;
		if (!first[0]) {
			first_st = st;
			snprintf(first, sizeof(first), "%s", sa_last_error());
		}
	}
	return sa_fail(first_st, "%s", first);
}

/* The index of the card whose accel node is `path` (any path to it), or -1. */
static int card_of_node(const struct card_list *l, const char *path, int *err)
{
	struct stat want, have;

	*err = 0;
	if (stat(path, &want) != 0) {
		*err = errno;
		return -1;
	}
	for (int i = 0; i < l->n && i < MAX_CARDS; i++)
		if (l->cards[i].node[0] && stat(l->cards[i].node, &have) == 0 &&
		    S_ISCHR(want.st_mode) && want.st_rdev == have.st_rdev)
			return i;
	return -1;
}

static int card_of_pci(const struct card_list *l, const char *addr)
{
	for (int i = 0; i < l->n && i < MAX_CARDS; i++)
		if (strcmp(l->cards[i].pci_addr, addr) == 0)
			return i;
	return -1;
}

/* The named card (what; NULL: any card) does not exist: say what was asked and what there is. */
static sa_status no_such_card(const struct card_list *l, const char *asked, const char *what)
{
	char cards[384];

	if (l->n <= 0) {
		char addr[32], probe[384];

		sa_accel_probe("", addr, sizeof(addr));
		snprintf(probe, sizeof(probe), "%s", sa_last_error());
		if (!what)
			return sa_fail(SA_ERR_NO_DEVICE, "%s: %s", asked, probe);
		return sa_fail(SA_ERR_NO_DEVICE, "%s: %s; %s", asked, what, probe);
	}
	sa_accel_cards_text(l->cards, l->n, cards, sizeof(cards));
	return sa_fail(SA_ERR_NO_DEVICE, "%s: %s; there %s %s", asked, what,
		       l->n == 1 ? "is" : "are", cards);
}

static sa_status open_chosen(struct sa_accel_dev *d, const struct sa_device_choice *c,
			     const struct card_list *l)
{
	char what[160];
	int i = -1, err = 0;

	switch (c->by) {
	case SA_CARD_FIRST_USABLE:
		if (l->n <= 0)
			return no_such_card(l, c->asked, NULL);
		return open_first(d, l, c->asked);
	case SA_CARD_INDEX:
		i = c->index < (uint32_t)l->n ? (int)c->index : -1;
		snprintf(what, sizeof(what), "no card accel:%u", c->index);
		break;
	case SA_CARD_PCI:
		i = card_of_pci(l, c->name);
		snprintf(what, sizeof(what), "no ShiftAccel card at PCI address %s", c->name);
		break;
	case SA_CARD_NODE:
		i = card_of_node(l, c->name, &err);
		if (err)
			snprintf(what, sizeof(what), "%s: %s", c->name, strerror(err));
		else
			snprintf(what, sizeof(what),
				 "%s is not the accel node of a ShiftAccel card", c->name);
		break;
	}
	if (i < 0)
		return no_such_card(l, c->asked, what);
	return open_card(d, l, i, c->asked);
}

sa_status sa_accel_dev_open(struct sa_accel_dev *d, const struct sa_device_choice *c)
{
	struct card_list *l = malloc(sizeof(*l));
	sa_status st;

	memset(d, 0, sizeof(*d));
	d->fd = -1;
	if (!l)
		return sa_fail(SA_ERR_NO_MEMORY, "%s: out of memory for the card list", c->asked);
	l->n = sa_drm_cards("", l->cards, MAX_CARDS);
	if (l->n < 0)
		st = sa_fail(SA_ERR_NO_DEVICE,
			     "%s: cannot list PCI devices to find the ShiftAccel card: %s",
			     c->asked, strerror(-l->n));
	else
		st = open_chosen(d, c, l);
	free(l);
	return st;
}

void sa_accel_dev_close(struct sa_accel_dev *d)
{
	if (d->fd >= 0)
		close(d->fd);
	d->fd = -1;
}

/*
 * A buffer the driver refused.  It charges every buffer to the process's
 * RLIMIT_MEMLOCK (docs/driver.md, Memory), so ENOMEM usually means that
 * limit: name it, with its value.
 */
sa_status sa_accel_bo_error(const struct sa_accel_dev *d, const char *what, uint64_t size, int err)
{
	struct rlimit lock = {0};

	if (err == ENOMEM && getrlimit(RLIMIT_MEMLOCK, &lock) == 0 &&
	    lock.rlim_cur != RLIM_INFINITY)
		return sa_fail(SA_ERR_DEVICE,
			       "%s: cannot %s a %llu-byte buffer: it would exceed this process's "
			       "locked-memory limit of %llu KiB (ulimit -l; memlock in "
			       "/etc/security/limits.conf)",
			       d->node, what, (unsigned long long)size,
			       (unsigned long long)(lock.rlim_cur / 1024));
	return sa_fail(SA_ERR_DEVICE, "%s: cannot %s a %llu-byte buffer: %s", d->node, what,
		       (unsigned long long)size, strerror(err));
}

sa_status sa_accel_bo_new(struct sa_accel_dev *d, uint64_t size, uint32_t vm_flags,
			  struct sa_drm_buf *bo)
{
	/* A zero-byte part of a program still gets a page, so every buffer has a VA. */
	int ret = sa_drm_buf_new(d->fd, size ? size : 1, vm_flags, bo);

	if (ret) {
		sa_status st = sa_accel_bo_error(d, bo->handle ? "map" : "create", size, -ret);

		sa_drm_buf_free(d->fd, bo);
		return st;
	}
	return SA_OK;
}
