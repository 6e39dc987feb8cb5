package search

import "strings"

// functionWords are the commonest words of the stemmed languages that
// carry no topic (articles, prepositions, conjunctions, pronouns,
// auxiliaries, question words), folded. The index keeps them (a search
// for "data for cities" still finds its phrase's posts); "was this asked
// before?" leaves them out of its any-word query (Similar), where a title
// sharing only "for" or "de" with the one typed would be suggested.
var functionWords = wordSet(
	// English
	`a an and are as at be but by can do does for from has have how i in is it its of on or our that the
	this to was we were what when which who why will with you`,
	// Spanish
	`al como con cual cuando de del donde el en entre es hay la las lo los mas muy para pero por que se sin
	sobre su sus un una uno y ya`,
	// French
	`au aux avec ce ces comment dans des du est et il le les leur mais ne nous ou par pas pour qu qui sa ses
	son sont sur une vous`,
	// Portuguese
	`ao aos as da das do dos e em na nas no nos o os ou pela pelo sua um uma`,
)

func wordSet(lists ...string) map[string]bool {
	set := map[string]bool{}
	for _, l := range lists {
		for _, w := range strings.Fields(l) {
			set[Fold(w)] = true
		}
	}
	return set
}

// withoutFunctionWords is p without its function words, or p itself when
// it holds nothing else (a title of function words only is looked for as
// typed).
func withoutFunctionWords(p Parsed) Parsed {
	out := Parsed{Key: p.Key}
	for i, w := range p.Words {
		if !functionWords[Fold(w)] {
			out.Groups = append(out.Groups, p.Groups[i])
			out.Words = append(out.Words, w)
		}
	}
	if out.Empty() {
		return p
	}
	return out
}
