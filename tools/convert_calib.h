/* SPDX-License-Identifier: MIT */
/*
 * shiftaccel-convert's calibration images: N images spread evenly over a
 * data set, as a data set whose classes are the model's outputs (the data
 * set's own labels when its classes are the model's, else 0), and the same
 * images labelled with another model's top-1 answers, so that sa_evaluate
 * counts agreement.
 */
#ifndef SA_CONVERT_CALIB_H
#define SA_CONVERT_CALIB_H

#include <stdint.h>

#include "shiftaccel_train.h"

struct calib_set {
	sa_dataset *images; /* the calibration images */
	int labelled;	    /* their labels are the data set's true classes */
	uint32_t count, classes;
	const char *const *class_names;
};

/*
 * Takes `count` images (0 or more than there are: all) of ds for a model
 * with `classes` outputs named class_names (NULL: the data set's names when
 * the classes match, else "0", "1", ...).
 */
sa_status calib_set_make(const sa_dataset *ds, uint32_t count, uint32_t classes,
			 const char *const *class_names, struct calib_set *out);
/* The same images labelled top1[i] (each < classes). */
sa_status calib_set_relabel(const struct calib_set *cs, const sa_label *top1, sa_dataset **out);
void calib_set_free(struct calib_set *cs);

#endif /* SA_CONVERT_CALIB_H */
