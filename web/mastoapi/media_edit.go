package mastoapi

import (
	"errors"
	"net/http"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"github.com/metropolis/agora/forum"
)

// An edit changes a post's images as Mastodon's PUT /api/v1/statuses/{id}
// does: media_ids, when given, is the post's list from now on (the ids of
// images it has keep them, in the order given; ids of the caller's
// waiting uploads add them; an empty list removes them all), and
// media_attributes[][id] with media_attributes[][description] change the
// alt text of any image of the list. Apps that send neither (or the ids
// the post has, as Tusky and Elk always do) leave the images as they are.

// mediaAttribute is one entry of media_attributes.
type mediaAttribute struct{ id, description string }

// indexedAttribute is media_attributes[N][field], as some form encoders
// write the list.
var indexedAttribute = regexp.MustCompile(`^media_attributes\[(\d{1,3})\]\[(id|description)\]$`)

// mediaAttributes reads media_attributes from the form or JSON body:
// media_attributes[][id] and [description] pair by order, [N][…] (and
// a JSON body's list, flattened so by params.addJSON) by N.
func (c *call) mediaAttributes() []mediaAttribute {
	ids, descs := c.params.all("media_attributes[][id]"), c.params.all("media_attributes[][description]")
	var out []mediaAttribute
	for i, id := range ids {
		if i < len(descs) {
			out = append(out, mediaAttribute{id: id, description: descs[i]})
		}
	}
	indexed := map[int]*mediaAttribute{}
	for k, v := range c.params {
		m := indexedAttribute.FindStringSubmatch(k)
		if m == nil || len(v) == 0 {
			continue
		}
		n, _ := strconv.Atoi(m[1]) // \d{1,3} always parses
		if indexed[n] == nil {
			indexed[n] = &mediaAttribute{}
		}
		if m[2] == "id" {
			indexed[n].id = v[0]
		} else {
			indexed[n].description = v[0]
		}
	}
	keys := make([]int, 0, len(indexed))
	for n := range indexed {
		keys = append(keys, n)
	}
	sort.Ints(keys)
	for _, n := range keys {
		if a := indexed[n]; a.id != "" {
			out = append(out, *a)
		}
	}
	return out
}

// editedMedia turns an edit's media_ids and media_attributes into the
// post's images from now on, and the uploads they take (deleted once the
// edit is stored). It returns nil images when the edit leaves them as
// they are. Nothing changes on a refusal.
func (a *API) editedMedia(r *http.Request, p *forum.Post, c *call) (*[]forum.Image, []forum.ID, error) {
	_, listed := c.params["media_ids"]
	attrs := c.mediaAttributes()
	if !listed && len(attrs) == 0 {
		return nil, nil, nil
	}
	// The post's own images, by the ids attachments gives them.
	own := map[string]forum.Image{}
	var ids []string
	for i, img := range p.Images {
		id := p.ID + "-" + strconv.Itoa(i+1)
		own[id] = img
		ids = append(ids, id)
	}
	if listed {
		ids = nil
		seen := map[string]bool{}
		for _, id := range c.params.all("media_ids") {
			if id = strings.TrimSpace(id); id != "" && !seen[id] {
				seen[id] = true
				ids = append(ids, id)
			}
		}
	}
	if len(ids) > forum.MaxImages {
		return nil, nil, invalid("api.error.too_many_media", "Limit", limitArg(forum.MaxImages))
	}
	described := map[string]string{}
	for _, at := range attrs {
		d, err := checkDescription(at.description)
		if err != nil {
			return nil, nil, err
		}
		described[strings.TrimSpace(at.id)] = d
	}
	images := []forum.Image{}
	var uploads []forum.ID
	var missing []string
	for _, id := range ids {
		img, ok := own[id]
		if !ok {
			if !a.mediaEnabled() {
				return nil, nil, errNoMedia
			}
			u, err := a.cfg.Uploads.Upload(r.Context(), c.member.ID, id, a.cfg.Now().Add(-UploadTTL))
			if errors.Is(err, forum.ErrNotFound) {
				missing = append(missing, id)
				continue
			} else if err != nil {
				return nil, nil, err
			}
			img = forum.Image{Name: u.Name, Alt: u.Description, MediaType: u.MediaType, Width: u.Width, Height: u.Height}
			uploads = append(uploads, u.ID)
		}
		if d, ok := described[id]; ok {
			img.Alt = d
		}
		if strings.TrimSpace(img.Alt) == "" {
			return nil, nil, invalid("api.error.media_description", "ID", id)
		}
		images = append(images, img)
	}
	if len(missing) > 0 {
		return nil, nil, invalid("api.error.media_not_found", "IDs", strings.Join(missing, ", "))
	}
	return &images, uploads, nil
}
