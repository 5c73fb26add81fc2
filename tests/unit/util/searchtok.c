/*
 * Unit tests for src/util/searchtok.c and src/util/searchq.c: the bigram tokenizer that the
 * search index and its queries share, and the query language.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "util/searchq.h"
#include "util/searchtok.c"

/* Collects tokens as "tok@start-end" joined by spaces. */
struct out {
    char buf[2048];
};

static int
collect(void *arg, const char *tok, size_t toklen, size_t start, size_t end)
{
    struct out *o = arg;
    size_t n = strlen(o->buf);
    snprintf(o->buf + n, sizeof(o->buf) - n, "%s%.*s@%zu-%zu", n ? " " : "", (int)toklen, tok, start, end);
    return 0;
}

static const char *
toks(const char *text, unsigned flags)
{
    static struct out o;
    o.buf[0] = '\0';
    assert_int_equal(search_tokenize(text, strlen(text), flags, collect, &o), 0);
    return o.buf;
}

static void
test_bigrams_and_last_character(void **state)
{
    /* Every character starts one token: the bigrams, then the run's last character alone. */
    assert_string_equal(toks("会議資料", 0), "会議@0-6 議資@3-9 資料@6-12 料@9-12");
    assert_string_equal(toks("の", 0), "の@0-3");
    assert_string_equal(toks("", 0), "");
    /* Punctuation and spaces separate runs; a bigram never spans them. */
    assert_string_equal(toks("来週、会議", 0), "来週@0-6 週@3-6 会議@9-15 議@12-15");
    assert_string_equal(toks("「予算」", 0), "予算@3-9 算@6-9");
    assert_string_equal(toks("a b", 0), "a@0-1 b@2-3");
}

static void
test_folding(void **state)
{
    /* Width, case and script fold; offsets stay those of the text as written. */
    assert_string_equal(toks("カイギ", 0), "かい@0-6 いぎ@3-9 ぎ@6-9");
    assert_string_equal(toks("ｶﾞｲﾄﾞ", 0), "がい@0-9 いど@6-15 ど@9-15");
    assert_string_equal(toks("ＡＢＣ", 0), "ab@0-6 bc@3-9 c@6-9");
    assert_string_equal(toks("ABC", 0), "ab@0-2 bc@1-3 c@2-3");
    /* 々 and ー belong to words; ・ does not. */
    assert_string_equal(toks("人々", 0), "人々@0-6 々@3-6");
    assert_string_equal(toks("サーバー・室", 0), "さー@0-6 ーば@3-9 ばー@6-12 ー@9-12 室@15-18");
}

static void
test_query_mode(void **state)
{
    /* A query's last run gives only its bigrams (the phrase), or its one character (a prefix). */
    assert_string_equal(toks("会議", SEARCHTOK_QUERY), "会議@0-6");
    assert_string_equal(toks("会", SEARCHTOK_QUERY), "会@0-3");
    assert_string_equal(toks("会議。", SEARCHTOK_QUERY), "会議@0-6");
    /* Earlier runs keep their last character, so a phrase across a separator lines up with the text. */
    assert_string_equal(toks("会議 資料", SEARCHTOK_QUERY), "会議@0-6 議@3-6 資料@7-13");
    assert_string_equal(toks("。、", SEARCHTOK_QUERY), "");
    assert_int_equal(search_last_run_length("会議 資", strlen("会議 資")), 1);
    assert_int_equal(search_word_chars("。、！", strlen("。、！")), 0);
}

static void
test_invalid_bytes_separate(void **state)
{
    assert_string_equal(toks("会\xff議", 0), "会@0-3 議@4-7");
}

static int
stop_at_two(void *arg, const char *tok, size_t toklen, size_t start, size_t end)
{
    int *n = arg;
    return ++*n == 2 ? 7 : 0;
}

static void
test_callback_stops(void **state)
{
    int n = 0;
    assert_int_equal(search_tokenize("会議資料", strlen("会議資料"), 0, stop_at_two, &n), 7);
    assert_int_equal(n, 2);
}

static int
parse(const char *q, struct searchq *out, const char **en)
{
    const char *ja;
    return searchq_parse(q, strlen(q), out, &ja, en);
}

static void
test_query_language(void **state)
{
    struct searchq q;
    const char *en = NULL;
    assert_int_equal(parse("会議 \"来週 の\" -中止 from:suzuki in:総務課 after:2026-11-01 before:2026-12-01 has:file", &q, &en), 0);
    assert_int_equal(q.nterms, 3);
    assert_string_equal(q.terms[0].text, "会議");
    assert_string_equal(q.terms[1].text, "来週 の");
    assert_true(q.terms[1].phrase);
    assert_string_equal(q.terms[2].text, "中止");
    assert_true(q.terms[2].negated);
    assert_string_equal(q.from, "suzuki");
    assert_string_equal(q.in, "総務課");
    assert_true(q.has_file);
    /* 2026-11-01 00:00 in Japan is 2026-10-31 15:00 UTC. */
    assert_int_equal(q.after_ms, 1793458800000LL);
    assert_int_equal(q.before_ms, 1796050800000LL);
    assert_int_equal(searchq_positive(&q), 2);
    searchq_free(&q);
    /* Full-width quotes and the ideographic space work as typed by an input method. */
    assert_int_equal(parse("＂会議　資料＂　予算", &q, &en), 0);
    assert_int_equal(q.nterms, 2);
    assert_string_equal(q.terms[0].text, "会議　資料");
    searchq_free(&q);
    /* A URL is a word, not a filter. */
    assert_int_equal(parse("https://example.jp", &q, &en), 0);
    assert_int_equal(q.nterms, 1);
    searchq_free(&q);
}

static void
test_query_errors(void **state)
{
    struct searchq q;
    const char *en = NULL;
    char long_q[1024] = "";
    assert_int_equal(parse("", &q, &en), -1);
    assert_non_null(strstr(en, "empty"));
    assert_int_equal(parse("   ", &q, &en), -1);
    assert_int_equal(parse("\"会議", &q, &en), -1);
    assert_non_null(strstr(en, "quote"));
    assert_int_equal(parse("会議 color:red", &q, &en), -1);
    assert_non_null(strstr(en, "unknown filter"));
    assert_int_equal(parse("会議 before:2026-02-29", &q, &en), -1);
    assert_int_equal(parse("会議 after:2026-1-1", &q, &en), -1);
    assert_int_equal(parse("会議 has:link", &q, &en), -1);
    assert_int_equal(parse("会議 from:", &q, &en), -1);
    assert_int_equal(parse("-会議", &q, &en), -1);
    assert_int_equal(parse("from:suzuki", &q, &en), -1);
    for (int i = 0; i < 257; i++)
        strcat(long_q, "a");
    assert_int_equal(parse(long_q, &q, &en), -1);
    assert_non_null(strstr(en, "too long"));
    assert_int_equal(parse("a b c d e f g h i j k l m n o p q", &q, &en), -1);
    /* Leap day in a leap year is a date. */
    int64_t ms;
    assert_int_equal(searchq_date("2028-02-29", 10, &ms), 0);
    assert_int_equal(searchq_date("2100-02-29", 10, &ms), -1);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_bigrams_and_last_character),
        cmocka_unit_test(test_folding),
        cmocka_unit_test(test_query_mode),
        cmocka_unit_test(test_invalid_bytes_separate),
        cmocka_unit_test(test_callback_stops),
        cmocka_unit_test(test_query_language),
        cmocka_unit_test(test_query_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
