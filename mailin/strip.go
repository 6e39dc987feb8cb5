package mailin

import (
	"regexp"
	"strings"
)

// Marker is the line the node writes above its reply-able mails' text:
// whatever a client quotes from it is below the member's words.
const Marker = "##-"

// quoteHeader matches the line clients write above the text they quote,
// in the node's languages: "On Tue, 1 Dec 2026, Ana <ana@x> wrote:",
// "El … escribió:", "Le … a écrit :", "Em … escreveu:", "Am … schrieb:",
// Arabic "… كتب:".
var quoteHeader = regexp.MustCompile(`(?i)^\s*(on\b.{0,200}\bwrote|el\b.{0,200}\bescribió|le\b.{0,200}\ba écrit|em\b.{0,200}\bescreveu|am\b.{0,200}\bschrieb|.{0,200}كتب)\s*:\s*$`)

// separator lines: Outlook's and others' start of a forwarded or quoted
// original, and signature delimiters.
var separator = regexp.MustCompile(`(?i)^\s*(-{2,}\s*(original message|mensaje original|message d'origine|mensagem original|ursprüngliche nachricht)\s*-{2,}|_{10,}|-- ?)\s*$`)

// headerBlock: a quoted message written unquoted ("From: …" then "Sent:"
// or "Date:"), as Outlook and mobile clients do.
var fromLine = regexp.MustCompile(`(?i)^\s*\**(from|de|von|من)\s*:\**\s`)
var dateLine = regexp.MustCompile(`(?i)^\s*\**(sent|date|enviado|envoyé|gesendet|fecha|data|التاريخ|أرسل)\s*:\**\s`)

// boilerplate ends a message: "Sent from my iPhone" and the like.
var boilerplate = regexp.MustCompile(`(?i)^\s*(sent from my |sent from mail for |get outlook for |enviado desde mi |enviado do meu |envoyé de mon |von meinem .* gesendet)`)

// Strip keeps the member's own words of a reply: it cuts at the node's
// marker, at the header of a quoted message, at a signature or a "Sent
// from my phone" line, and drops quoted lines ("> …") at the end. Quoted
// lines between the member's paragraphs stay: they are how some people
// answer point by point, and markdown shows them as quotes.
func Strip(text string) string {
	text = strings.ReplaceAll(text, "\r\n", "\n")
	lines := strings.Split(text, "\n")
	end := len(lines)
	for i := 0; i < end; i++ {
		l := lines[i]
		switch {
		case strings.HasPrefix(strings.TrimSpace(strings.TrimLeft(l, "> ")), Marker),
			separator.MatchString(l), boilerplate.MatchString(l):
			end = i
		case quoteHeader.MatchString(l):
			end = i
		case i+1 < len(lines) && quoteHeader.MatchString(l+" "+lines[i+1]):
			end = i // the header wrapped over two lines
		case fromLine.MatchString(l) && nearby(lines[i+1:], dateLine, 4):
			end = i
		}
	}
	lines = lines[:end]
	// Quoted lines, blank lines and a rule at the end belong to what was
	// quoted (Outlook draws a rule above its quoted message).
	for len(lines) > 0 {
		t := strings.TrimSpace(lines[len(lines)-1])
		if t != "" && !strings.HasPrefix(t, ">") && !rule.MatchString(t) {
			break
		}
		lines = lines[:len(lines)-1]
	}
	return strings.TrimSpace(strings.Join(lines, "\n"))
}

var rule = regexp.MustCompile(`^(\* *\* *\*[* ]*|-{3,}|_{3,})$`)

func nearby(lines []string, re *regexp.Regexp, n int) bool {
	for i := 0; i < n && i < len(lines); i++ {
		if re.MatchString(lines[i]) {
			return true
		}
	}
	return false
}
