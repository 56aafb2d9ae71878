# shiftaccel-export: a .dsm model back to ONNX (docs/import.md, "shiftaccel-export").
TOOLS += shiftaccel-export
shiftaccel-export_SRCS := tools/shiftaccel-export.c tools/cli_util.c tools/cli_text.c
