#!/usr/bin/env python3
"""Which b-trees the commits in a SQLite write-ahead log touch.

    cp DATA/shanzhi.db-wal /tmp/snap.wal      # while a load runs
    python3 scripts/walpages.py /tmp/snap.wal DATA/shanzhi.db

Reads the frames that follow the log's header (those with its salts),
groups them by commit, and names each distinct page through the
database's dbstat table: the pages a commit writes are what its
pwrites, checksums and checkpoint copies cost (issue 18, BENCHMARKS.md).
"""
import collections
import sqlite3
import struct
import sys

wal = open(sys.argv[1], 'rb').read()
_, _, page_size, _, salt1, salt2, _, _ = struct.unpack('>IIIIIIII', wal[:32])
names = {}
con = sqlite3.connect('file:%s?mode=ro' % sys.argv[2], uri=True)
for name, pageno in con.execute('SELECT name, pageno FROM dbstat'):
    names[pageno] = name
off, commits, pages = 32, 0, []
per = collections.Counter()
while off + 24 + page_size <= len(wal):
    pgno, commit_size, s1, s2 = struct.unpack('>IIII', wal[off:off + 16])
    if (s1, s2) != (salt1, salt2):
        break
    pages.append(pgno)
    if commit_size:
        commits += 1
        for p in set(pages):
            per[names.get(p, '(new page)')] += 1
        pages = []
    off += 24 + page_size
if not commits:
    sys.exit('no commit in this log')
print('commits', commits, 'pages a commit', round(sum(per.values()) / commits, 1))
for name, n in per.most_common(30):
    print('%6.2f %s' % (n / commits, name))
