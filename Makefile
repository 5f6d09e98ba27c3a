# SPDX-License-Identifier: GPL-2.0
#
# svcnat top-level build. `make help` lists the targets.

SHELL := /bin/bash
.DEFAULT_GOAL := all

# Installed kernels we build for (headers present), and those we can boot.
KVERS := $(shell scripts/kernels)
VM_KVERS := $(shell scripts/kernels --vm)

# The running kernel's build tree if it has one, else the newest headers.
KDIR ?= $(or $(wildcard /lib/modules/$(shell uname -r)/build),\
	$(if $(KVERS),/usr/src/linux-headers-$(lastword $(KVERS))))

# Interactive guest for `make vm-shell` (default: the newest bootable kernel),
# started with svcnat.ko loaded.
VM_KVER ?= $(lastword $(VM_KVERS))

# checkpatch.pl and the YNL generator come from Debian's kernel source
# tarball; only the few files we use are extracted, once, into build/ksrc.
KSRC_TAR ?= /usr/src/linux-source-6.12.tar.xz
KSRC_TOP := $(notdir $(KSRC_TAR:.tar.xz=))
KSRC := build/ksrc
KSRC_FILES := scripts/checkpatch.pl scripts/spelling.txt \
	scripts/const_structs.checkpatch tools/net/ynl \
	Documentation/netlink/genetlink.yaml

SPEC := Documentation/netlink/specs/svcnat.yaml
UAPI := include/uapi/linux/svcnat.h
KMOD_SRCS = $(filter-out %.mod.c,$(wildcard kmod/*.c kmod/*.h))

PREFIX ?= /usr/local

.PHONY: all kmod modules-all tools unit selftests style checkpatch sparse \
	spec-check check demo vm-shell install clean help \
	$(addprefix modules-,$(KVERS)) $(addprefix sparse-,$(KVERS))

all: kmod tools

kmod:
	@test -n "$(KDIR)" || { echo "no kernel headers found; run scripts/install-deps" >&2; exit 1; }
	$(MAKE) -C $(KDIR) M=$(CURDIR)/kmod SVCNAT_INCLUDE=$(CURDIR)/include/uapi W=1 modules

# build/kmod/<KVER>/svcnat.ko for every installed kernel, zero warnings.
modules-all: $(addprefix modules-,$(KVERS))
	@test -n "$(KVERS)" || { echo "no kernel headers found; run scripts/install-deps" >&2; exit 1; }

$(addprefix modules-,$(KVERS)): modules-%:
	scripts/build-kmod $*

tools:
	cmake -S tools -B build/tools -DCMAKE_BUILD_TYPE=RelWithDebInfo
	cmake --build build/tools -j2

unit:
	ctest --test-dir build/tools --output-on-failure

# the small C programs the selftests run in the VM
selftests:
	$(MAKE) -C selftests

style: checkpatch sparse spec-check

$(KSRC)/.stamp: $(KSRC_TAR)
	rm -rf $(KSRC) $(KSRC).tmp
	mkdir -p $(KSRC).tmp
	tar -xJf $(KSRC_TAR) -C $(KSRC).tmp --strip-components=1 \
		$(addprefix $(KSRC_TOP)/,$(KSRC_FILES)) \
		--wildcards '$(KSRC_TOP)/tools/testing/selftests/kselftest*'
	touch $(KSRC).tmp/.stamp
	mv $(KSRC).tmp $(KSRC)

checkpatch: $(KSRC)/.stamp
	$(KSRC)/scripts/checkpatch.pl --strict --no-tree --quiet --color=never \
		--show-types -f $(KMOD_SRCS)

# sparse over every kmod source file (kbuild C=2), for each kernel.
sparse: $(addprefix sparse-,$(KVERS))

$(addprefix sparse-,$(KVERS)): sparse-%:
	scripts/build-kmod --sparse $*

# The uapi header must be exactly what the kernel's YNL generator makes of
# the spec. The generator walks up from the spec to a directory holding a
# MAINTAINERS file (and loops forever if there is none), so give it a
# minimal tree of its own.
spec-check: $(KSRC)/.stamp
	rm -rf build/ynlroot
	mkdir -p build/ynlroot/Documentation/netlink/specs
	touch build/ynlroot/MAINTAINERS
	cp $(KSRC)/Documentation/netlink/genetlink.yaml build/ynlroot/Documentation/netlink/
	cp $(SPEC) build/ynlroot/$(SPEC)
	timeout 60 /usr/bin/python3 $(KSRC)/tools/net/ynl/ynl-gen-c.py --mode uapi \
		--header --spec build/ynlroot/$(SPEC) -o build/ynlroot/svcnat.h
	diff -u $(UAPI) build/ynlroot/svcnat.h

# Everything, including the selftests in one VM per kernel. The last line
# printed is "N passed, N failed" (", N skipped" when any).
check:
	@MAKE="$(MAKE)" scripts/check

demo:
	@MAKE="$(MAKE)" scripts/demo

# bench/ is a directory: the target must be phony
.PHONY: bench
bench:
	bench/run $(if $(BENCH_KVER),-k $(BENCH_KVER))

vm-shell: $(if $(VM_KVER),modules-$(VM_KVER)) tools selftests
	@test -n "$(VM_KVER)" || { echo "no bootable kernel installed" >&2; exit 1; }
	scripts/vm-run -i -k $(VM_KVER) \
		--insmod $(CURDIR)/build/kmod/$(VM_KVER)/svcnat.ko \
		-e SVCNAT_KO=$(CURDIR)/build/kmod/$(VM_KVER)/svcnat.ko \
		-e SVCADM=$(CURDIR)/build/tools/svcadm

# DESTDIR: stage into another root (then depmod runs on that root).
KREL = $(shell cat $(KDIR)/include/config/kernel.release 2>/dev/null)
install: kmod tools
	install -D -m 644 kmod/svcnat.ko $(DESTDIR)/lib/modules/$(KREL)/updates/svcnat.ko
	depmod -a $(if $(DESTDIR),-b $(DESTDIR)) $(KREL)
	install -D -m 755 build/tools/svcadm $(DESTDIR)$(PREFIX)/sbin/svcadm

clean:
	@if [ -n "$(KDIR)" ] && [ -d kmod ]; then \
		$(MAKE) -C $(KDIR) M=$(CURDIR)/kmod clean; fi
	-$(MAKE) -C selftests clean
	rm -rf build

help:
	@echo 'make                build kmod/svcnat.ko (KDIR=$(KDIR)) and the tools'
	@echo 'make modules-all    build/kmod/<KVER>/svcnat.ko for: $(KVERS)'
	@echo 'make tools | unit   build the tools | run their unit tests'
	@echo 'make selftests      build the helpers the selftests run in the VM'
	@echo 'make style          checkpatch, sparse and the uapi header check'
	@echo 'make check          all of the above plus the selftests in a VM per kernel'
	@echo 'make demo           boot a VM and show a service spreading traffic'
	@echo 'make vm-shell       interactive VM (VM_KVER=$(VM_KVER)) with svcnat.ko loaded'
	@echo 'make install        install svcnat.ko for $(KREL) and svcadm in $(PREFIX)/sbin'
