-- 0002_inline_chunks: keep a chunk's row whole in its heap page. A chunk row (its text, the
-- index terms and the tsvector, the vector) is about 5 kB: with the default 2 kB target the
-- server compressed the texts and the tsvector and moved the vector out of line, so that
-- every search candidate cost a decompression and a TOAST lookup per column, and every
-- insert a TOAST insert. Rows move out of line only past a full page now. Existing rows
-- follow when rewritten (VACUUM FULL chunks), or as documents are ingested again.
ALTER TABLE chunks SET (toast_tuple_target = 8160);
