/*
 * Unit tests for src/util/markdown.c: the notes' subset — blocks, spans, table cells, the
 * allowed link targets, and the body check that keeps raw HTML and script links out.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "util/markdown.c"

struct seen {
    char kinds[64];
    int n;
    char last[256];
};

static int
collect(void *arg, const struct md_block *b)
{
    struct seen *s = arg;
    static const char code[] = "HPBNTRCb";
    s->kinds[s->n++] = code[b->kind];
    snprintf(s->last, sizeof(s->last), "%.*s", (int)b->len, b->text);
    return 0;
}

static void
blocks(void **state)
{
    struct seen s = {0};
    md_blocks("# 題\n\n本文一行目\n二行目\n- a\n  - b\n1. c\n| x | y |\n|---|---|\n| 1 | 2 |\n---\n```\n<b>code</b>\n```\n",
              collect, &s);
    assert_string_equal(s.kinds, "HbPBBNTTRC");
    assert_string_equal(s.last, "<b>code</b>");
    struct seen p = {0};
    md_blocks("一行目\n二行目", collect, &p);
    assert_string_equal(p.kinds, "P");
    assert_string_equal(p.last, "一行目\n二行目");
}

struct spans {
    char kinds[32];
    int n;
    char url[64];
};

static int
span(void *arg, const struct md_span *sp)
{
    struct spans *s = arg;
    static const char code[] = "tbicl";
    s->kinds[s->n++] = code[sp->kind];
    if (sp->kind == MD_LINK)
        snprintf(s->url, sizeof(s->url), "%.*s", (int)sp->url_len, sp->url);
    return 0;
}

static void
spans_(void **state)
{
    struct spans s = {0};
    const char *t = "前**太字**と*斜体*と`a<b`と[市](https://example.jp/)";
    md_spans(t, strlen(t), span, &s);
    assert_string_equal(s.kinds, "tbtitctl");
    assert_string_equal(s.url, "https://example.jp/");
}

static void
cells(void **state)
{
    const char *c[8];
    size_t l[8];
    const char *row = "| 項目 |  金額 | |";
    int n = md_cells(row, strlen(row), c, l, 8);
    assert_int_equal(n, 3);
    assert_int_equal(l[0], strlen("項目"));
    assert_memory_equal(c[1], "金額", l[1]);
    assert_int_equal(l[2], 0);
}

static void
urls(void **state)
{
    static const char *const ok[] = {"https://a.jp/x?y=1", "http://a", "mailto:a@b.jp", "#/r/1/notes/2", "/api/v1/files/3"};
    static const char *const bad[] = {"javascript:alert(1)",  "JavaScript:x", "data:text/html,x", "//evil.example/",
                                      "vbscript:x",           "https://a b",  "https://",         "",
                                      "http://a\"onmouseover"};
    for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++)
        assert_true(md_url_ok(ok[i], strlen(ok[i])));
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        assert_false(md_url_ok(bad[i], strlen(bad[i])));
}

static void
check(void **state)
{
    size_t off;
    assert_int_equal(md_check("## 題\n\n3 < 5 は本当。`<div>` はコード。\n```\n<script>\n```\n", &off), 0);
    assert_int_equal(md_check("本文 <script>x</script>", &off), -1);
    assert_int_equal(off, strlen("本文 "));
    assert_int_equal(md_check("| <img src=x> |", &off), -1);
    assert_int_equal(md_check("[押す](javascript:alert(1))", &off), -2);
    assert_int_equal(md_check("**[押す](javascript:alert(1))**", &off), -2);
    assert_int_equal(md_check("- [x](data:text/html,1)", &off), -2);
    assert_int_equal(md_check("<!-- c -->", &off), -1);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(blocks), cmocka_unit_test(spans_), cmocka_unit_test(cells),
        cmocka_unit_test(urls),   cmocka_unit_test(check),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
