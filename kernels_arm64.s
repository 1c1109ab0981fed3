//go:build !purego && !noasm

#include "textflag.h"
