/* SPDX-License-Identifier: MIT */
/*
 * The conventions shared by the ONNX exporter (onnx_write.c) and the reader
 * of its files (onnx_read_export.c), so convert(export(m)) gives back m's
 * bytes (docs/import.md, "shiftaccel-export").
 *
 * Every .dsm tensor N is the ONNX value named N.  Helper values and nodes
 * get N plus one of the suffixes below; .dsm tensor names may not contain
 * ':' so the suffixes cannot collide with them.  The node that computes a
 * .dsm node's output N is named N; its helpers are named N plus a suffix.
 */
#ifndef SA_ONNX_EXPORT_H
#define SA_ONNX_EXPORT_H

#define SA_EXPORT_OPSET 13
/*
 * The tie-breaking addends 2^e before a QuantizeLinear (onnx_write.c,
 * tie_exp()): no addend, and the largest |e| written.
 */
#define SA_EXPORT_NO_TIE (-1000)
#define SA_EXPORT_TIE_EXP_LIMIT 120
/* The graph input's and output's first dimension: a batch of any size. */
#define SA_EXPORT_BATCH_DIM "N"

#define SA_EXPORT_SUFFIX_FLOAT ":float"	    /* the graph input before its QDQ pair */
#define SA_EXPORT_SUFFIX_PRE ":pre"	    /* an op's output before activation and QDQ */
#define SA_EXPORT_SUFFIX_TIE ":tie"	    /* Add of the tie-breaking addend (node) */
#define SA_EXPORT_SUFFIX_TIED ":tied"	    /* its output */
#define SA_EXPORT_SUFFIX_ACT ":act"	    /* after the activation, before QDQ */
#define SA_EXPORT_SUFFIX_Q ":q"		    /* QuantizeLinear (node and int8 value) */
#define SA_EXPORT_SUFFIX_DQ ":dq"	    /* DequantizeLinear node */
#define SA_EXPORT_SUFFIX_RELU ":relu"	    /* Relu node */
#define SA_EXPORT_SUFFIX_RELU6 ":relu6"	    /* Clip(0, 6) node */
#define SA_EXPORT_SUFFIX_FLATTEN ":flatten" /* Flatten before a Gemm (node) */
#define SA_EXPORT_SUFFIX_VEC ":vec"	    /* its output */

/* metadata_props keys. */
#define SA_EXPORT_KEY_FORMAT "shiftaccel.format"     /* "dsm MAJOR.MINOR": marks an export */
#define SA_EXPORT_KEY_EXPORTER "shiftaccel.exporter" /* library version */
#define SA_EXPORT_KEY_MEAN "shiftaccel.input.mean"   /* "a,b,c" (%.9g, exact floats) */
#define SA_EXPORT_KEY_STD "shiftaccel.input.std"     /* same */
#define SA_EXPORT_KEY_META "shiftaccel.meta."	     /* + the .dsm META key, in order */
#define SA_EXPORT_KEY_LABEL "shiftaccel.label."	     /* + index, in order */
#define SA_EXPORT_KEY_WEIGHTS "shiftaccel.weights."  /* + node: "bits=B base=b" */
#define SA_EXPORT_KEY_BIAS "shiftaccel.bias."	     /* + node: exact int32 list */
#define SA_EXPORT_KEY_INT16 "shiftaccel.int16."	     /* + tensor: its exponent */

#endif /* SA_ONNX_EXPORT_H */
