# SPDX-License-Identifier: Apache-2.0
# mk/00-platform.mk — the target seam, included before every other fragment so that all of them
# can call $(call target_program,...). Everything target-specific lives in platform/.
include platform/platform.mk
