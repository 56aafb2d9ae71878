# shiftaccel-run: classify a PNG image with a .dsm model.
TOOLS += shiftaccel-run
shiftaccel-run_SRCS := tools/shiftaccel-run.c tools/cli_util.c tools/cli_text.c
