package demo

import (
	"fmt"
	"net/url"
	"regexp"
)

// launchWebinar is the 17 May 2026 webinar that launched the forum, as
// the hub's moderator enters it: title and description in the concept
// note's three languages, its times in Madrid's zone, its speakers.
var launchWebinar = struct {
	texts                    map[string][2]string // language → title, description
	starts, ends, zone, link string
	speakers, programme      string
}{
	texts: map[string][2]string{
		"en": {"Launch of the Learning Forum on Digitalisation",
			"Metropolis webinar for World Telecommunication and Information Society Day: the forum, its concept note and its three debate questions."},
		"es": {"Lanzamiento del Foro de aprendizaje sobre digitalización",
			"Webinario de Metropolis por el Día Mundial de las Telecomunicaciones y de la Sociedad de la Información: el foro, su nota conceptual y sus tres preguntas de debate."},
		"fr": {"Lancement du Forum d’apprentissage sur la numérisation",
			"Webinaire de Metropolis pour la Journée mondiale des télécommunications et de la société de l’information : le forum, sa note conceptuelle et ses trois questions de débat."},
	},
	starts: "2026-05-17T15:00", ends: "2026-05-17T16:30", zone: "Europe/Madrid", link: "https://meet.example/metropolis-launch",
	speakers:  "@nadia\nMetropolis Secretariat",
	programme: "Welcome and the forum's concept note\nThe three debate questions\nCities' first answers\nQ&A",
}

// createWebinar has the hub's moderator create the launch webinar on the
// forum's new-event form, and returns the event's path.
func createWebinar(mod *browser) (string, error) {
	w := launchWebinar
	form := url.Values{"language": {"en"}, "starts": {w.starts}, "ends": {w.ends}, "time_zone": {w.zone},
		"online_url": {w.link}, "speakers": {w.speakers}, "programme": {w.programme}}
	for lang, t := range w.texts {
		form.Add("text_lang", lang)
		form.Set("title_"+lang, t[0])
		form.Set("description_"+lang, t[1])
	}
	at, _, err := mod.submit("/f/digitalisation/events", form)
	if err != nil {
		return "", err
	}
	if at == "" {
		return "", fmt.Errorf("the event was not saved")
	}
	return at, nil
}

// martaTranslation is Marta's Spanish version of the first debate
// question, written on her own node.
var martaTranslation = url.Values{"language": {"es"},
	"title": {"¿Cuáles son los retos y las oportunidades del uso de las TIC en los espacios metropolitanos?"},
	"body":  {"Pregunta de debate 1 del Foro de aprendizaje sobre digitalización. Cuéntenos qué ha aprendido su área metropolitana."}}

var translateLink = regexp.MustCompile(`href="(/p/[0-9a-z]{26}/translate)"`)

// translateQuestion has a member translate the question of the thread at
// path (its first "translate" link is the question's).
func translateQuestion(b *browser, path string, form url.Values) error {
	page, err := b.get(path)
	if err != nil {
		return err
	}
	m := translateLink.FindStringSubmatch(page)
	if m == nil {
		return fmt.Errorf("no translate link on %s", path)
	}
	_, _, err = b.submit(m[1], form)
	return err
}
