/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The impersonate-fsd wire protocol (src/daemon/PROTOCOL.md), without a daemon. */
#include <errno.h>
#include <sys/socket.h>
#include <unistd.h>

#include "harness.h"
#include "proto.h"

static uint8_t mem[IMPFS_BUF_SIZE], rx[IMPFS_BUF_SIZE];

/* A connected pair; what is written on [0] is read on [1]. */
static void pair(int sv[2])
{
	CHECK_EQ(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv), 0);
}

static void put(int fd, const void *p, size_t n)
{
	CHECK_EQ(write(fd, p, n), (ssize_t)n);
}

static struct impfs_frame as_frame(const struct impfs_buf *b)
{
	return (struct impfs_frame){.type = b->p[4], .body = b->p + IMPFS_HEADER, .len = b->len - IMPFS_HEADER};
}

TEST(request_round_trip)
{
	struct impfs_buf b;
	struct impfs_request in = {.type = IMPFS_WRITE, .flags = IMPFS_WRITE_CREATE | IMPFS_WRITE_APPEND, .mode = 0640,
	                           .path = "dir/file.txt", .data = (const uint8_t *)"hello", .len = 5};
	static struct impfs_request out;
	CHECK_EQ(impfs_request_encode(&b, mem, sizeof(mem), &in), 0);
	/* big-endian length of type + body */
	CHECK_EQ(b.p[0] << 24 | b.p[1] << 16 | b.p[2] << 8 | b.p[3], b.len - 4);
	struct impfs_frame f = as_frame(&b);
	CHECK_EQ(impfs_request_decode(&f, &out), 0);
	CHECK_EQ(out.type, IMPFS_WRITE);
	CHECK_EQ(out.flags, in.flags);
	CHECK_EQ(out.mode, 0640);
	CHECK_STREQ(out.path, "dir/file.txt");
	CHECK_EQ(out.len, 5);
	CHECK(memcmp(out.data, "hello", 5) == 0);
}

TEST(oversized_write_cannot_be_encoded)
{
	static uint8_t data[IMPFS_MAX_DATA + 1];
	struct impfs_buf b;
	struct impfs_request in = {.type = IMPFS_WRITE, .path = "x", .data = data, .len = sizeof(data)};
	CHECK_EQ(impfs_request_encode(&b, mem, sizeof(mem), &in), -EMSGSIZE);
	in.len = IMPFS_MAX_DATA;
	CHECK_EQ(impfs_request_encode(&b, mem, sizeof(mem), &in), 0);
}

TEST(malformed_bodies_are_rejected)
{
	static struct impfs_request out;
	static const uint8_t short_body[] = {0, 0, 0};
	static const uint8_t past_end[] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 9, 'a'};
	static const uint8_t trailing[] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 'a', 'x'};
	static const uint8_t nul[] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 3, 'a', 0, 'b'};
	struct impfs_frame f = {.type = IMPFS_READ, .body = short_body, .len = sizeof(short_body)};
	CHECK_EQ(impfs_request_decode(&f, &out), -EBADMSG);
	f = (struct impfs_frame){.type = IMPFS_LIST, .body = past_end, .len = sizeof(past_end)};
	CHECK_EQ(impfs_request_decode(&f, &out), -EBADMSG);
	f = (struct impfs_frame){.type = IMPFS_READ, .body = trailing, .len = sizeof(trailing)};
	CHECK_EQ(impfs_request_decode(&f, &out), -EBADMSG);
	f = (struct impfs_frame){.type = IMPFS_READ, .body = nul, .len = sizeof(nul)};
	CHECK_EQ(impfs_request_decode(&f, &out), -EBADMSG);
	f = (struct impfs_frame){.type = 0x42, .body = NULL, .len = 0};
	CHECK_EQ(impfs_request_decode(&f, &out), -EOPNOTSUPP);
	f = (struct impfs_frame){.type = IMPFS_AUTH, .body = NULL, .len = 0};
	CHECK_EQ(impfs_request_decode(&f, &out), -EOPNOTSUPP);
}

TEST(path_rules)
{
	CHECK_EQ(impfs_check_path("a/b.txt", false), 0);
	CHECK_EQ(impfs_check_path("./a//b", false), 0);
	CHECK_EQ(impfs_check_path("a..b/..c/c..", false), 0); /* dots inside names are fine */
	CHECK_EQ(impfs_check_path("", true), 0);
	CHECK_EQ(impfs_check_path("", false), -EINVAL);
	CHECK_EQ(impfs_check_path("/etc/passwd", false), -EINVAL);
	CHECK_EQ(impfs_check_path("..", false), -EXDEV);
	CHECK_EQ(impfs_check_path("../x", false), -EXDEV);
	CHECK_EQ(impfs_check_path("a/..", false), -EXDEV);
	CHECK_EQ(impfs_check_path("a/../b", false), -EXDEV);
	CHECK_EQ(impfs_check_path("a//..//b", false), -EXDEV);
}

TEST(recv_whole_frames)
{
	int sv[2];
	struct impfs_buf b;
	struct impfs_frame f;
	pair(sv);
	impfs_start(&b, mem, sizeof(mem), IMPFS_WHOAMI);
	CHECK_EQ(impfs_finish(&b), 0);
	/* one byte at a time still makes one frame */
	for (size_t i = 0; i < b.len; i++)
		put(sv[0], b.p + i, 1);
	CHECK_EQ(impfs_recv(sv[1], rx, &f), 1);
	CHECK_EQ(f.type, IMPFS_WHOAMI);
	CHECK_EQ(f.len, 0);
	close(sv[0]);
	CHECK_EQ(impfs_recv(sv[1], rx, &f), 0); /* clean end between frames */
	close(sv[1]);
}

TEST(recv_rejects_bad_lengths_and_truncation)
{
	int sv[2];
	struct impfs_frame f;
	pair(sv);
	put(sv[0], "\0\0\0\0", 4);
	CHECK_EQ(impfs_recv(sv[1], rx, &f), -EBADMSG);
	uint8_t big[5] = {0, 1, 0x20, 0x01, IMPFS_READ}; /* IMPFS_MAX_FRAME + 1 */
	CHECK_EQ((uint32_t)(big[1] << 16 | big[2] << 8 | big[3]), IMPFS_MAX_FRAME + 1);
	put(sv[0], big, sizeof(big));
	CHECK_EQ(impfs_recv(sv[1], rx, &f), -EMSGSIZE);
	close(sv[0]);
	close(sv[1]);

	pair(sv);
	put(sv[0], "\0\0\0\x10\x10zz", 7); /* 16 bytes announced, 3 sent */
	close(sv[0]);
	CHECK_EQ(impfs_recv(sv[1], rx, &f), -ECONNRESET);
	close(sv[1]);

	pair(sv);
	put(sv[0], "\0\0", 2); /* ends inside the length */
	close(sv[0]);
	CHECK_EQ(impfs_recv(sv[1], rx, &f), -ECONNRESET);
	close(sv[1]);
}

TEST(identity_and_ids_round_trip)
{
	static struct impfs_identity id = {.user = "alice", .uid = 60001, .gid = 60001, .mode = 1, .level = 0,
	                                   .ngroups = 3, .groups = {60001, 60100, 60101}};
	static struct impfs_identity back;
	struct impfs_buf b;
	CHECK_EQ(impfs_identity_encode(&b, mem, sizeof(mem), &id), 0);
	struct impfs_frame f = as_frame(&b);
	CHECK_EQ(impfs_identity_decode(&f, &back), 0);
	CHECK_STREQ(back.user, "alice");
	CHECK_EQ(back.ngroups, 3);
	CHECK_EQ(back.groups[2], 60101);
	CHECK_EQ(back.mode, 1);

	static struct impfs_ids ids = {.uid = {0, 0, 0, 60001}, .gid = {0, 0, 0, 60001}, .cap_eff = 0,
	                               .ngroups = 2, .groups = {60001, 60100}};
	static struct impfs_ids ids_back;
	struct impfs_result r = {.op = IMPFS_WHOAMI, .worker = 3};
	static struct impfs_result rb;
	impfs_result_start(&b, mem, sizeof(mem), &r);
	impfs_ids_put(&b, &ids);
	CHECK_EQ(impfs_finish(&b), 0);
	f = as_frame(&b);
	CHECK_EQ(impfs_result_decode(&f, &rb), 0);
	CHECK_EQ(rb.worker, 3);
	CHECK_EQ(impfs_ids_decode(rb.data, rb.len, &ids_back), 0);
	CHECK_EQ(ids_back.uid[3], 60001);
	CHECK_EQ(ids_back.groups[1], 60100);
	CHECK_EQ(impfs_ids_decode(rb.data, rb.len - 1, &ids_back), -EBADMSG);
}

TEST(list_entries_walk_and_reject_garbage)
{
	static const uint8_t ok[] = {8, 0, 1, 'a', 4, 0, 2, 'd', 'r'};
	static const uint8_t bad[] = {8, 0, 5, 'a'};
	struct impfs_frame f = {.body = ok, .len = sizeof(ok)};
	struct impfs_cur c;
	uint8_t type;
	char name[256];
	impfs_cur_init(&c, &f);
	CHECK_EQ(impfs_entry_next(&c, &type, name, sizeof(name)), 1);
	CHECK_STREQ(name, "a");
	CHECK_EQ(impfs_entry_next(&c, &type, name, sizeof(name)), 1);
	CHECK_STREQ(name, "dr");
	CHECK_EQ(type, 4);
	CHECK_EQ(impfs_entry_next(&c, &type, name, sizeof(name)), 0);
	f = (struct impfs_frame){.body = bad, .len = sizeof(bad)};
	impfs_cur_init(&c, &f);
	CHECK_EQ(impfs_entry_next(&c, &type, name, sizeof(name)), -EBADMSG);
}

TEST(str_fields_are_bounded)
{
	struct impfs_buf b;
	static char text[IMPFS_MAX_TEXT + 2];
	memset(text, 'x', IMPFS_MAX_TEXT + 1);
	impfs_start(&b, mem, sizeof(mem), IMPFS_ERROR);
	impfs_put_u32(&b, 1);
	impfs_put_str(&b, text, IMPFS_MAX_TEXT);
	CHECK_EQ(impfs_finish(&b), -EMSGSIZE);
	impfs_start(&b, mem, 16, IMPFS_ERROR); /* and a buffer too small */
	impfs_put_str(&b, "a long message", IMPFS_MAX_TEXT);
	CHECK_EQ(impfs_finish(&b), -EMSGSIZE);
}

/* impfs_recv_by(): the limits hold for the whole frame, not each recv(). */
TEST(recv_by_deadlines)
{
	int sv[2];
	uint8_t buf[IMPFS_BUF_SIZE];
	struct impfs_frame f;
	CHECK_EQ(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	/* Nothing comes: the idle limit, and no frame begun. */
	struct impfs_deadline dl = {.idle_by = impfs_now_ms() + 100};
	int64_t t0 = impfs_now_ms();
	CHECK_EQ(impfs_recv_by(sv[0], buf, &f, &dl), -ETIMEDOUT);
	CHECK(impfs_now_ms() - t0 >= 100);
	CHECK_EQ(dl.started, 0);
	/* A frame begun but not finished: the frame limit, from its first byte. */
	CHECK_EQ(write(sv[1], "\0\0\0\x05\x13", 5), 5);
	dl = (struct impfs_deadline){.idle_by = impfs_now_ms() + 10000, .frame_ms = 100};
	CHECK_EQ(impfs_recv_by(sv[0], buf, &f, &dl), -ETIMEDOUT);
	CHECK(dl.started != 0);
	CHECK(impfs_now_ms() - dl.started >= 100);
	/* end_by wins over the others. */
	dl = (struct impfs_deadline){.idle_by = impfs_now_ms() + 10000, .frame_ms = 10000,
	                             .end_by = impfs_now_ms() + 50};
	CHECK_EQ(impfs_recv_by(sv[0], buf, &f, &dl), -ETIMEDOUT);
	/* A whole frame in time is read as impfs_recv() reads it. */
	CHECK_EQ(write(sv[1], "\0\0\0\x01\x13", 5), 5);
	dl = (struct impfs_deadline){.idle_by = impfs_now_ms() + 10000, .frame_ms = 10000};
	CHECK_EQ(impfs_recv_by(sv[0], buf, &f, &dl), 1);
	CHECK_EQ(f.type, IMPFS_WHOAMI);
	CHECK_EQ(f.len, 0);
	close(sv[0]);
	close(sv[1]);
}

/* impfs_send_by(): a peer that does not read cannot hold the sender. */
TEST(send_by_deadline)
{
	int sv[2];
	static uint8_t frame[IMPFS_BUF_SIZE], data[IMPFS_MAX_DATA];
	struct impfs_buf b;
	CHECK_EQ(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	impfs_start(&b, frame, sizeof(frame), IMPFS_RESULT);
	impfs_put_bytes(&b, data, sizeof(data));
	CHECK_EQ(impfs_finish(&b), 0);
	int r = 0;
	for (int i = 0; i < 1000 && r == 0; i++) /* far more than a socket buffer */
		r = impfs_send_by(sv[0], &b, impfs_now_ms() + 100);
	CHECK_EQ(r, -ETIMEDOUT);
	close(sv[0]);
	close(sv[1]);
}

int main(int argc, char **argv)
{
	return harness_main(argc, argv, 0);
}
