/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * libFuzzer target: impersonate-fsd's protocol decoders (src/daemon/proto.c),
 * everything a peer's bytes reach.  Input: one type byte, then the body.
 * A decoded request must satisfy what the daemon relies on: a path that is
 * NUL-terminated within bounds, data inside the frame; any request that
 * decodes re-encodes to the same bytes.
 */
#include <assert.h>
#include <string.h>

#include "proto.h"

static void check_request(const struct impfs_frame *f)
{
	static struct impfs_request r;
	static uint8_t mem[IMPFS_BUF_SIZE];
	if (impfs_request_decode(f, &r) != 0)
		return;
	assert(memchr(r.path, '\0', sizeof(r.path)));
	assert(!r.data || (r.data >= f->body && r.data + r.len <= f->body + f->len));
	(void)impfs_check_path(r.path, true);
	struct impfs_buf b;
	assert(impfs_request_encode(&b, mem, sizeof(mem), &r) == 0);
	assert(b.len == IMPFS_HEADER + f->len && mem[4] == f->type);
	assert(memcmp(mem + IMPFS_HEADER, f->body, f->len) == 0);
}

static void check_replies(const struct impfs_frame *f)
{
	static struct impfs_result res;
	static struct impfs_identity id;
	static struct impfs_ids ids;
	static struct impfs_notice n;
	char tmp[16];
	(void)impfs_type_name(f->type, tmp, sizeof(tmp));
	if (impfs_result_decode(f, &res) == 0) {
		assert(!res.data || (res.data >= f->body && res.data + res.len <= f->body + f->len));
		if (res.data) {
			(void)impfs_ids_decode(res.data, res.len, &ids);
			struct impfs_frame list = {.type = f->type, .body = res.data, .len = res.len};
			struct impfs_cur c;
			uint8_t type;
			char name[256];
			impfs_cur_init(&c, &list);
			while (impfs_entry_next(&c, &type, name, sizeof(name)) == 1)
				assert(memchr(name, '\0', sizeof(name)));
		}
	}
	if (impfs_identity_decode(f, &id) == 0)
		assert(id.ngroups <= IMPFS_MAX_GROUPS && memchr(id.user, '\0', sizeof(id.user)));
	if (impfs_notice_decode(f, &n) == 0)
		assert(memchr(n.step, '\0', sizeof(n.step)) && memchr(n.text, '\0', sizeof(n.text)));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1 || size - 1 > IMPFS_MAX_FRAME)
		return 0;
	struct impfs_frame f = {.type = data[0], .body = data + 1, .len = size - 1};
	check_request(&f);
	check_replies(&f);
	return 0;
}
