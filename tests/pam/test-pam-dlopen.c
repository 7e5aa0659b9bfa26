/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The built pam_impersonate.so as libpam loads it: dlopen(RTLD_NOW) must
 * resolve every symbol from the module's own dependencies (this executable
 * links neither libpam nor libimpersonate, so it provides none), and the
 * dynamic symbol table must export the pam_sm_* entry points and nothing
 * else.  A deliberately broken module shows that both checks can fail.
 */
#include <dlfcn.h>
#include <elf.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "harness.h"

static const char *const entry_points[] = {
	"pam_sm_acct_mgmt", "pam_sm_authenticate", "pam_sm_close_session",
	"pam_sm_open_session", "pam_sm_setcred",
};
#define N_ENTRY (sizeof(entry_points) / sizeof(entry_points[0]))

/* ---- A minimal ELF64 reader: the file's dynamic symbols and DT_NEEDED --- */

struct elf {
	const unsigned char *base;
	size_t size;
	const Elf64_Ehdr *eh;
	const Elf64_Shdr *sh;
};

static void elf_open(const char *path, struct elf *e)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	struct stat st;
	CHECK(fd >= 0 && fstat(fd, &st) == 0);
	e->size = (size_t)st.st_size;
	e->base = mmap(NULL, e->size, PROT_READ, MAP_PRIVATE, fd, 0);
	CHECK(e->base != MAP_FAILED);
	close(fd);
	e->eh = (const Elf64_Ehdr *)e->base;
	CHECK(e->size >= sizeof(*e->eh) && memcmp(e->eh->e_ident, ELFMAG, SELFMAG) == 0);
	CHECK(e->eh->e_ident[EI_CLASS] == ELFCLASS64);
	CHECK(e->eh->e_shoff + (size_t)e->eh->e_shnum * sizeof(Elf64_Shdr) <= e->size);
	e->sh = (const Elf64_Shdr *)(e->base + e->eh->e_shoff);
}

static const Elf64_Shdr *elf_section(const struct elf *e, Elf64_Word type)
{
	for (unsigned i = 0; i < e->eh->e_shnum; i++)
		if (e->sh[i].sh_type == type)
			return &e->sh[i];
	return NULL;
}

static const char *elf_string(const struct elf *e, const Elf64_Shdr *strtab, size_t off)
{
	CHECK(strtab->sh_offset + off < e->size);
	return (const char *)e->base + strtab->sh_offset + off;
}

/* The names of the defined, visible dynamic symbols, into @names. */
static int elf_exports(const struct elf *e, const char **names, int max)
{
	const Elf64_Shdr *dynsym = elf_section(e, SHT_DYNSYM);
	CHECK(dynsym != NULL && dynsym->sh_link < e->eh->e_shnum);
	const Elf64_Shdr *strtab = &e->sh[dynsym->sh_link];
	const Elf64_Sym *sym = (const Elf64_Sym *)(e->base + dynsym->sh_offset);
	int n = 0;
	for (size_t i = 0; i < dynsym->sh_size / sizeof(Elf64_Sym); i++) {
		unsigned bind = ELF64_ST_BIND(sym[i].st_info), type = ELF64_ST_TYPE(sym[i].st_info);
		if (sym[i].st_shndx == SHN_UNDEF || bind == STB_LOCAL || type == STT_SECTION ||
		    type == STT_FILE || ELF64_ST_VISIBILITY(sym[i].st_other) != STV_DEFAULT)
			continue;
		CHECK(n < max);
		names[n++] = elf_string(e, strtab, sym[i].st_name);
	}
	return n;
}

static bool elf_needs(const struct elf *e, const char *lib)
{
	const Elf64_Shdr *dyn = elf_section(e, SHT_DYNAMIC);
	CHECK(dyn != NULL && dyn->sh_link < e->eh->e_shnum);
	const Elf64_Dyn *d = (const Elf64_Dyn *)(e->base + dyn->sh_offset);
	for (size_t i = 0; i < dyn->sh_size / sizeof(Elf64_Dyn) && d[i].d_tag != DT_NULL; i++)
		if (d[i].d_tag == DT_NEEDED &&
		    strcmp(elf_string(e, &e->sh[dyn->sh_link], d[i].d_un.d_val), lib) == 0)
			return true;
	return false;
}

static bool is_entry_point(const char *name)
{
	for (size_t i = 0; i < N_ENTRY; i++)
		if (strcmp(name, entry_points[i]) == 0)
			return true;
	return false;
}

/* ---- Tests ------------------------------------------------------------------ */

/* SPEC P1: libpam dlopen()s with RTLD_NOW: every undefined symbol of the module must
 * be found in its own dependencies, and every entry point must be there. */
TEST(dlopen_rtld_now_resolves_everything)
{
	CHECK(dlsym(RTLD_DEFAULT, "pam_syslog") == NULL); /* we provide nothing */
	void *h = dlopen(PAM_MODULE, RTLD_NOW | RTLD_LOCAL);
	if (!h)
		harness_fail(__FILE__, __LINE__, "dlopen: %s", dlerror());
	for (size_t i = 0; i < N_ENTRY; i++)
		CHECK(dlsym(h, entry_points[i]) != NULL);
	CHECK(dlsym(h, "parse_options") == NULL);
	CHECK(dlclose(h) == 0);
}

/* SPEC P1: the version script, exactly the five pam_sm_* entry points. */
TEST(exports_only_pam_sm)
{
	struct elf e;
	const char *names[256];
	elf_open(PAM_MODULE, &e);
	int n = elf_exports(&e, names, 256);
	for (int i = 0; i < n; i++)
		if (!is_entry_point(names[i]))
			harness_fail(__FILE__, __LINE__, "exports %s", names[i]);
	CHECK_EQ(n, N_ENTRY);
}

/* SPEC P1: it brings its own libraries (libpam, libimpersonate; capability
 * names are parsed by libimpersonate, so libcap comes with it). */
TEST(needs_its_libraries)
{
	struct elf e;
	elf_open(PAM_MODULE, &e);
	CHECK(elf_needs(&e, "libpam.so.0"));
	CHECK(elf_needs(&e, "libimpersonate.so.0"));
	CHECK(!elf_needs(&e, "libpam_misc.so.0"));
}

/* SPEC P1 (control): a module with a missing symbol links (meson allows it) but fails
 * dlopen(RTLD_NOW), and its stray export is seen. */
TEST(broken_module_is_caught)
{
	void *h = dlopen(PAM_BROKEN_MODULE, RTLD_NOW | RTLD_LOCAL);
	CHECK(h == NULL);
	CHECK(strstr(dlerror(), "undefined symbol: imp_test_no_such_function") != NULL);
	struct elf e;
	const char *names[256];
	elf_open(PAM_BROKEN_MODULE, &e);
	int n = elf_exports(&e, names, 256), stray = 0;
	for (int i = 0; i < n; i++)
		stray += !is_entry_point(names[i]);
	CHECK(stray >= 1);
}

int main(int argc, char **argv)
{
	return harness_main(argc, argv, 0);
}
