package storage

import (
	"github.com/uptrace/bun"

	"github.com/metropolis/agora/search"
)

// On PostgreSQL a search document's GIN index holds its terms and its
// language as one more lexeme, "=" and the language's first
// languageLexemeLen characters (migration 20261210100000): a class of
// matches by language (search_rank_walk.go) is a lexeme of the query,
// so the index leaves out the other class's matches instead of the heap
// page of each. A Spanish query's matches are all Spanish: through the
// index of the terms alone, the other languages' class read each of them
// to find none (1,132 pages, 30–90 ms).
//
// The index is on an expression, and the planner uses it only for a
// condition on that expression as written: every read of matches through
// the index goes by docMatch. Conditions tested on rows already read (a
// window of the newest documents, a span's re-check) test d.tsv, which
// costs no copy of each row's terms.

// docTermsExpr is the GIN index's expression on search_docs (d).
const docTermsExpr = "(d.tsv || array_to_tsvector(ARRAY['=' || left(d.language, 64)]))"

// languageLexemeLen is how many characters of a language its lexeme
// holds (left(language, 64) in docTermsExpr).
const languageLexemeLen = 64

// docMatch is sel narrowed to the documents (d) matching the tsquery
// tsq, through the GIN index.
func docMatch(sel *bun.SelectQuery, tsq string) *bun.SelectQuery {
	return sel.Where(docTermsExpr+" @@ ?::tsquery", tsq)
}

// languageLexeme is the lexeme of lang in docTermsExpr, as a tsquery's
// operand; whole is false when it holds only the start of lang.
func languageLexeme(lang string) (lexeme string, whole bool) {
	whole = true
	if r := []rune(lang); len(r) > languageLexemeLen {
		lang, whole = string(r[:languageLexemeLen]), false
	}
	return search.TSLexeme("=" + lang), whole
}

// match is sel narrowed to the documents (d) of class c matching the
// tsquery tsq, through the GIN index: the class's language ANDed to tsq
// as its lexeme (or its negation), and tested on the language column
// too, for the languages longer than their lexeme (whose lexeme's
// negation would leave out others of the same start: not ANDed).
func (c walkClass) match(sel *bun.SelectQuery, tsq string) *bun.SelectQuery {
	if c.all {
		return docMatch(sel, tsq)
	}
	lexeme, whole := languageLexeme(c.language)
	switch {
	case !c.other:
		tsq = "(" + tsq + ") & " + lexeme
	case whole:
		tsq = "(" + tsq + ") & !" + lexeme
	}
	return c.where(docMatch(sel, tsq))
}
