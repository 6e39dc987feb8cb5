package storage

import (
	"github.com/metropolis/agora/search"
)

// On PostgreSQL a search document's tsvector holds its terms and its
// language as one more lexeme, "=" and the language's first
// languageLexemeLen characters (migration 20261210100000), so its GIN
// index can leave out the reader's language. A level of the other
// languages' class (search_rank_walk.go), read through the GIN index,
// is one case where that pays: a Spanish query's matches holding three
// of its terms are all Spanish, and with the language in the heap only
// each was read from its page to be left out, 1,132 pages (30–90 ms)
// for no row; with the lexeme's negation in the query, the index gives
// none (7.5–18 ms).
//
// Elsewhere the language is tested on the rows: the lexeme is in a
// quarter of the documents, and the GIN index reads its entry's whole
// posting tree to test the candidates of a broad query (7–12 ms for
// 2,000–3,500 candidates, where the rows the walk reads anyway cost
// less).

// languageLexemeLen is how many characters of a language its lexeme
// holds (left(language, 64) in the migration).
const languageLexemeLen = 64

// languageLexeme is the lexeme of lang in search_docs.tsv, as a
// tsquery's operand; whole is false when it holds only the start of
// lang.
func languageLexeme(lang string) (lexeme string, whole bool) {
	whole = true
	if r := []rune(lang); len(r) > languageLexemeLen {
		lang, whole = string(r[:languageLexemeLen]), false
	}
	return search.TSLexeme("=" + lang), whole
}

// leaveOutLanguage is the tsquery tsq for the other languages' class c:
// tsq without the documents in the reader's language. A language longer
// than its lexeme is left as is (the lexeme's negation would leave out
// the other languages of the same start); c.where tests the language
// column whatever this does.
func (c walkClass) leaveOutLanguage(tsq string) string {
	lexeme, whole := languageLexeme(c.language)
	if !c.other || !whole {
		return tsq
	}
	return "(" + tsq + ") & !" + lexeme
}
