// SPDX-License-Identifier: MIT
/*
 * Training curves as a PNG: a tiny RGB rasteriser (lines, rectangles and a
 * 5x7 bitmap font) and sa_image_write_png.  Loss uses the left axis,
 * accuracy the right one.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../include/shiftaccel_train.h"
#include "../error.h"

/* The classic 5x7 font, ASCII 32..126, five columns per glyph, bit 0 at the top. */
static const uint8_t font5x7[95][5] = {
	{0x00, 0x00, 0x00, 0x00, 0x00}, {0x00, 0x00, 0x5F, 0x00, 0x00},
	{0x00, 0x07, 0x00, 0x07, 0x00}, {0x14, 0x7F, 0x14, 0x7F, 0x14},
	{0x24, 0x2A, 0x7F, 0x2A, 0x12}, {0x23, 0x13, 0x08, 0x64, 0x62},
	{0x36, 0x49, 0x55, 0x22, 0x50}, {0x00, 0x05, 0x03, 0x00, 0x00},
	{0x00, 0x1C, 0x22, 0x41, 0x00}, {0x00, 0x41, 0x22, 0x1C, 0x00},
	{0x08, 0x2A, 0x1C, 0x2A, 0x08}, {0x08, 0x08, 0x3E, 0x08, 0x08},
	{0x00, 0x50, 0x30, 0x00, 0x00}, {0x08, 0x08, 0x08, 0x08, 0x08},
	{0x00, 0x60, 0x60, 0x00, 0x00}, {0x20, 0x10, 0x08, 0x04, 0x02},
	{0x3E, 0x51, 0x49, 0x45, 0x3E}, {0x00, 0x42, 0x7F, 0x40, 0x00},
	{0x42, 0x61, 0x51, 0x49, 0x46}, {0x21, 0x41, 0x45, 0x4B, 0x31},
	{0x18, 0x14, 0x12, 0x7F, 0x10}, {0x27, 0x45, 0x45, 0x45, 0x39},
	{0x3C, 0x4A, 0x49, 0x49, 0x30}, {0x01, 0x71, 0x09, 0x05, 0x03},
	{0x36, 0x49, 0x49, 0x49, 0x36}, {0x06, 0x49, 0x49, 0x29, 0x1E},
	{0x00, 0x36, 0x36, 0x00, 0x00}, {0x00, 0x56, 0x36, 0x00, 0x00},
	{0x00, 0x08, 0x14, 0x22, 0x41}, {0x14, 0x14, 0x14, 0x14, 0x14},
	{0x41, 0x22, 0x14, 0x08, 0x00}, {0x02, 0x01, 0x51, 0x09, 0x06},
	{0x32, 0x49, 0x79, 0x41, 0x3E}, {0x7E, 0x11, 0x11, 0x11, 0x7E},
	{0x7F, 0x49, 0x49, 0x49, 0x36}, {0x3E, 0x41, 0x41, 0x41, 0x22},
	{0x7F, 0x41, 0x41, 0x22, 0x1C}, {0x7F, 0x49, 0x49, 0x49, 0x41},
	{0x7F, 0x09, 0x09, 0x01, 0x01}, {0x3E, 0x41, 0x41, 0x51, 0x32},
	{0x7F, 0x08, 0x08, 0x08, 0x7F}, {0x00, 0x41, 0x7F, 0x41, 0x00},
	{0x20, 0x40, 0x41, 0x3F, 0x01}, {0x7F, 0x08, 0x14, 0x22, 0x41},
	{0x7F, 0x40, 0x40, 0x40, 0x40}, {0x7F, 0x02, 0x04, 0x02, 0x7F},
	{0x7F, 0x04, 0x08, 0x10, 0x7F}, {0x3E, 0x41, 0x41, 0x41, 0x3E},
	{0x7F, 0x09, 0x09, 0x09, 0x06}, {0x3E, 0x41, 0x51, 0x21, 0x5E},
	{0x7F, 0x09, 0x19, 0x29, 0x46}, {0x46, 0x49, 0x49, 0x49, 0x31},
	{0x01, 0x01, 0x7F, 0x01, 0x01}, {0x3F, 0x40, 0x40, 0x40, 0x3F},
	{0x1F, 0x20, 0x40, 0x20, 0x1F}, {0x7F, 0x20, 0x18, 0x20, 0x7F},
	{0x63, 0x14, 0x08, 0x14, 0x63}, {0x03, 0x04, 0x78, 0x04, 0x03},
	{0x61, 0x51, 0x49, 0x45, 0x43}, {0x00, 0x00, 0x7F, 0x41, 0x41},
	{0x02, 0x04, 0x08, 0x10, 0x20}, {0x41, 0x41, 0x7F, 0x00, 0x00},
	{0x04, 0x02, 0x01, 0x02, 0x04}, {0x40, 0x40, 0x40, 0x40, 0x40},
	{0x00, 0x01, 0x02, 0x04, 0x00}, {0x20, 0x54, 0x54, 0x54, 0x78},
	{0x7F, 0x48, 0x44, 0x44, 0x38}, {0x38, 0x44, 0x44, 0x44, 0x20},
	{0x38, 0x44, 0x44, 0x48, 0x7F}, {0x38, 0x54, 0x54, 0x54, 0x18},
	{0x08, 0x7E, 0x09, 0x01, 0x02}, {0x08, 0x14, 0x54, 0x54, 0x3C},
	{0x7F, 0x08, 0x04, 0x04, 0x78}, {0x00, 0x44, 0x7D, 0x40, 0x00},
	{0x20, 0x40, 0x44, 0x3D, 0x00}, {0x00, 0x7F, 0x10, 0x28, 0x44},
	{0x00, 0x41, 0x7F, 0x40, 0x00}, {0x7C, 0x04, 0x18, 0x04, 0x78},
	{0x7C, 0x08, 0x04, 0x04, 0x78}, {0x38, 0x44, 0x44, 0x44, 0x38},
	{0x7C, 0x14, 0x14, 0x14, 0x08}, {0x08, 0x14, 0x14, 0x18, 0x7C},
	{0x7C, 0x08, 0x04, 0x04, 0x08}, {0x48, 0x54, 0x54, 0x54, 0x20},
	{0x04, 0x3F, 0x44, 0x40, 0x20}, {0x3C, 0x40, 0x40, 0x20, 0x7C},
	{0x1C, 0x20, 0x40, 0x20, 0x1C}, {0x3C, 0x40, 0x30, 0x40, 0x3C},
	{0x44, 0x28, 0x10, 0x28, 0x44}, {0x0C, 0x50, 0x50, 0x50, 0x3C},
	{0x44, 0x64, 0x54, 0x4C, 0x44}, {0x00, 0x08, 0x36, 0x41, 0x00},
	{0x00, 0x00, 0x7F, 0x00, 0x00}, {0x00, 0x41, 0x36, 0x08, 0x00},
	{0x08, 0x04, 0x08, 0x10, 0x08},
};

struct canvas {
	uint32_t w, h;
	uint8_t *px; /* RGB */
};

struct rgb {
	uint8_t r, g, b;
};

static const struct rgb black = {0, 0, 0}, grid = {225, 225, 225}, blue = {31, 119, 180},
			orange = {255, 127, 14}, green = {44, 160, 44};

static void dot(struct canvas *c, int x, int y, struct rgb col)
{
	if (x < 0 || y < 0 || (uint32_t)x >= c->w || (uint32_t)y >= c->h)
		return;
	uint8_t *p = c->px + ((size_t)y * c->w + (size_t)x) * 3;

	p[0] = col.r, p[1] = col.g, p[2] = col.b;
}

static void rect(struct canvas *c, int x0, int y0, int x1, int y1, struct rgb col)
{
	for (int y = y0; y <= y1; y++)
		for (int x = x0; x <= x1; x++)
			dot(c, x, y, col);
}

/* Bresenham, `thick` pixels wide. */
static void line(struct canvas *c, int x0, int y0, int x1, int y1, int thick, struct rgb col)
{
	int dx = abs(x1 - x0), dy = -abs(y1 - y0);
	int sx = x0 < x1 ? 1 : -1, sy = y0 < y1 ? 1 : -1;
	int err = dx + dy;

	for (;;) {
		rect(c, x0 - thick / 2, y0 - thick / 2, x0 + (thick - 1) / 2, y0 + (thick - 1) / 2,
		     col);
		if (x0 == x1 && y0 == y1)
			break;
		int e2 = 2 * err;

		if (e2 >= dy) {
			err += dy;
			x0 += sx;
		}
		if (e2 <= dx) {
			err += dx;
			y0 += sy;
		}
	}
}

static int text_width(const char *s, int scale)
{
	return (int)strlen(s) * 6 * scale;
}

static void text(struct canvas *c, int x, int y, const char *s, int scale, struct rgb col)
{
	for (; *s; s++, x += 6 * scale) {
		unsigned ch = (unsigned char)*s;

		if (ch < 32 || ch > 126)
			ch = '?';
		for (int cx = 0; cx < 5; cx++)
			for (int cy = 0; cy < 7; cy++)
				if (font5x7[ch - 32][cx] >> cy & 1)
					rect(c, x + cx * scale, y + cy * scale,
					     x + cx * scale + scale - 1, y + cy * scale + scale - 1,
					     col);
	}
}

/* A "nice" tick step (1, 2 or 5 times a power of ten) for about `n` ticks over span. */
static double tick_step(double span, int n)
{
	double raw = span / n, mag = pow(10, floor(log10(raw)));
	double f = raw / mag;

	return (f < 1.5 ? 1 : f < 3.5 ? 2 : f < 7.5 ? 5 : 10) * mag;
}

sa_status sa_plot_curves(const char *path, const struct sa_curve_point *pts, uint32_t n,
			 const char *title, uint32_t width, uint32_t height)
{
	struct canvas c = {width, height, NULL};
	const int left = 64, right = 64, top = 40, bottom = 48;
	double lmax = 0, amin = 100;
	int has_test = 0;
	char buf[64];
	sa_status st;

	if (!path || !pts || n == 0)
		return sa_fail(SA_ERR_INVALID_ARGUMENT, "sa_plot_curves: nothing to plot");
	if (width < 320 || height < 200 || width > 8192 || height > 8192)
		return sa_fail(SA_ERR_INVALID_ARGUMENT,
			       "sa_plot_curves: %ux%u is not 320..8192 x "
			       "200..8192",
			       width, height);
	c.px = malloc((size_t)width * height * 3);
	if (!c.px)
		return sa_fail(SA_ERR_NO_MEMORY, "out of memory");
	memset(c.px, 255, (size_t)width * height * 3);
	for (uint32_t i = 0; i < n; i++) {
		lmax = fmax(lmax, pts[i].loss);
		amin = fmin(amin, pts[i].train_accuracy);
		if (pts[i].test_accuracy >= 0) {
			amin = fmin(amin, pts[i].test_accuracy);
			has_test = 1;
		}
	}
	lmax = lmax > 0 && isfinite(lmax) ? lmax * 1.1 : 1.0;
	double lstep = tick_step(lmax, 5);

	lmax = ceil(lmax / lstep) * lstep;
	amin = fmax(0.0, floor(fmin(amin, 99.0) - 0.5));
	double astep = tick_step(100.0 - amin, 5);

	amin = floor(amin / astep) * astep;
	int x0 = left, x1 = (int)width - right, y0 = top, y1 = (int)height - bottom;
#define PX(i) (n == 1 ? (x0 + x1) / 2 : x0 + (int)lround((double)(i) * (x1 - x0) / (n - 1)))
#define PY_LOSS(v) (y1 - (int)lround((v) / lmax * (y1 - y0)))
#define PY_ACC(v) (y1 - (int)lround(((v)-amin) / (100.0 - amin) * (y1 - y0)))

	/* grid and axes */
	for (double v = 0; v <= lmax + 1e-9; v += lstep) {
		int y = PY_LOSS(v);

		line(&c, x0, y, x1, y, 1, grid);
		snprintf(buf, sizeof(buf), "%.3g", v);
		text(&c, x0 - 6 - text_width(buf, 1), y - 3, buf, 1, blue);
	}
	for (double v = amin; v <= 100.0 + 1e-9; v += astep) {
		snprintf(buf, sizeof(buf), "%.4g%%", v);
		text(&c, x1 + 6, PY_ACC(v) - 3, buf, 1, black);
	}
	for (uint32_t i = 0; i < n; i++) {
		uint32_t every = n > 20 ? (n + 19) / 20 : 1;

		if (i % every && i != n - 1)
			continue;
		snprintf(buf, sizeof(buf), "%u", i + 1);
		text(&c, PX(i) - text_width(buf, 1) / 2, y1 + 6, buf, 1, black);
	}
	line(&c, x0, y0, x0, y1, 1, black);
	line(&c, x1, y0, x1, y1, 1, black);
	line(&c, x0, y1, x1, y1, 1, black);
	text(&c, (x0 + x1 - text_width("epoch", 1)) / 2, y1 + 20, "epoch", 1, black);
	text(&c, 4, y0 - 16, "loss", 1, blue);
	text(&c, x1 - text_width("accuracy", 1) + right - 4, y0 - 16, "accuracy", 1, black);
	if (title)
		text(&c, ((int)width - text_width(title, 2)) / 2, 8, title, 2, black);

	/* curves */
	for (uint32_t i = 0; i < n; i++) {
		int xa = PX(i);

		rect(&c, xa - 2, PY_LOSS(pts[i].loss) - 2, xa + 2, PY_LOSS(pts[i].loss) + 2, blue);
		rect(&c, xa - 2, PY_ACC(pts[i].train_accuracy) - 2, xa + 2,
		     PY_ACC(pts[i].train_accuracy) + 2, orange);
		if (pts[i].test_accuracy >= 0)
			rect(&c, xa - 2, PY_ACC(pts[i].test_accuracy) - 2, xa + 2,
			     PY_ACC(pts[i].test_accuracy) + 2, green);
		if (i == 0)
			continue;
		int xb = PX(i - 1);

		line(&c, xb, PY_LOSS(pts[i - 1].loss), xa, PY_LOSS(pts[i].loss), 2, blue);
		line(&c, xb, PY_ACC(pts[i - 1].train_accuracy), xa, PY_ACC(pts[i].train_accuracy),
		     2, orange);
		if (pts[i].test_accuracy >= 0 && pts[i - 1].test_accuracy >= 0)
			line(&c, xb, PY_ACC(pts[i - 1].test_accuracy), xa,
			     PY_ACC(pts[i].test_accuracy), 2, green);
	}
	/* legend */
	struct {
		const char *label;
		struct rgb col;
	} legend[3] = {
		{"training loss", blue}, {"train accuracy", orange}, {"test accuracy", green}};
	int lx = x1 - 130, ly = y0 + 10;

	rect(&c, lx - 6, ly - 6, x1 - 8, ly + (has_test ? 3 : 2) * 14 - 2,
	     (struct rgb){250, 250, 250});
	for (int i = 0; i < (has_test ? 3 : 2); i++) {
		line(&c, lx, ly + i * 14 + 3, lx + 16, ly + i * 14 + 3, 2, legend[i].col);
		text(&c, lx + 22, ly + i * 14, legend[i].label, 1, black);
	}
#undef PX
#undef PY_LOSS
#undef PY_ACC
	sa_image img = {width, height, 3, c.px};

	st = sa_image_write_png(path, &img);
	free(c.px);
	return st;
}
