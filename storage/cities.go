package storage

import (
	"context"
	"time"

	"github.com/uptrace/bun"

	"github.com/metropolis/agora/forum"
)

type cityRow struct {
	bun.BaseModel `bun:"table:cities"`
	ID            string    `bun:"id,pk"`
	Name          string    `bun:"name"`
	NameKey       string    `bun:"name_key"`
	CreatedAt     time.Time `bun:"created_at"`
}

func (r *cityRow) toForum() *forum.City {
	return &forum.City{ID: r.ID, Name: r.Name, CreatedAt: r.CreatedAt.UTC()}
}

// CreateCity stores a city; ErrConflict if its folded name is taken.
func (s *Store) CreateCity(ctx context.Context, c *forum.City) error {
	_, err := s.db.NewInsert().Model(&cityRow{ID: c.ID, Name: c.Name, NameKey: forum.CityKey(c.Name), CreatedAt: utc(c.CreatedAt)}).Exec(ctx)
	return dbErr("create city", err)
}

// CityByID finds a city.
func (s *Store) CityByID(ctx context.Context, id forum.ID) (*forum.City, error) {
	return s.oneCity(ctx, "city by id", "id = ?", id)
}

// CityByKey finds a city by its folded name.
func (s *Store) CityByKey(ctx context.Context, key string) (*forum.City, error) {
	return s.oneCity(ctx, "city by name", "name_key = ?", key)
}

func (s *Store) oneCity(ctx context.Context, what, where string, arg any) (*forum.City, error) {
	var row cityRow
	if err := s.db.NewSelect().Model(&row).Where(where, arg).Scan(ctx); err != nil {
		return nil, dbErr(what, err)
	}
	return row.toForum(), nil
}

// ListCities lists cities by folded name.
func (s *Store) ListCities(ctx context.Context, limit int) ([]*forum.City, error) {
	var rows []cityRow
	if err := s.db.NewSelect().Model(&rows).OrderExpr("name_key ASC").Limit(int64(limit)).Scan(ctx); err != nil {
		return nil, dbErr("list cities", err)
	}
	out := make([]*forum.City, len(rows))
	for i := range rows {
		out[i] = rows[i].toForum()
	}
	return out, nil
}

// CityStats counts each city's members, answers that stand (in threads
// that stand) and good practices among them, and lists the nodes its
// members write from.
func (s *Store) CityStats(ctx context.Context) (map[forum.ID]*forum.CityStats, error) {
	out := map[forum.ID]*forum.CityStats{}
	get := func(id string) *forum.CityStats {
		if out[id] == nil {
			out[id] = &forum.CityStats{}
		}
		return out[id]
	}
	var members []struct {
		CityID string `bun:"city_id"`
		Domain string `bun:"domain"`
		N      int    `bun:"n"`
	}
	err := s.db.NewSelect().Table("members").Column("city_id", "domain").ColumnExpr("COUNT(*) AS n").
		Where("city_id <> ''").Group("city_id", "domain").OrderExpr("city_id, domain").Scan(ctx, &members)
	if err != nil {
		return nil, dbErr("count city members", err)
	}
	for _, m := range members {
		st := get(m.CityID)
		st.Members += m.N
		st.Nodes = append(st.Nodes, m.Domain)
	}
	var answers []struct {
		CityID string `bun:"city_id"`
		N      int    `bun:"n"`
		Good   int    `bun:"good"`
	}
	err = s.db.NewSelect().TableExpr("posts AS p").Join("JOIN members AS m ON m.id = p.author_id").
		ColumnExpr("m.city_id AS city_id, COUNT(*) AS n").
		ColumnExpr("SUM(CASE WHEN p.good_practice_at IS NOT NULL THEN 1 ELSE 0 END) AS good").
		Where("m.city_id <> ''").Where("p.parent_id <> ''").Where("p.deleted_at IS NULL").
		Where("p.thread_id IN (SELECT id FROM threads WHERE deleted_at IS NULL)").
		GroupExpr("m.city_id").Scan(ctx, &answers)
	if err != nil {
		return nil, dbErr("count city answers", err)
	}
	for _, a := range answers {
		st := get(a.CityID)
		st.Answers, st.GoodPractices = a.N, a.Good
	}
	return out, nil
}

// ListCityMembers lists a city's members by display name.
func (s *Store) ListCityMembers(ctx context.Context, cityID forum.ID, limit int) ([]*forum.Member, error) {
	var rows []memberRow
	err := s.db.NewSelect().Model(&rows).Where("city_id = ?", cityID).
		OrderExpr("LOWER(display_name), id").Limit(int64(limit)).Scan(ctx)
	if err != nil {
		return nil, dbErr("list city members", err)
	}
	return s.withLanguages(ctx, rows)
}

// ListDirectory lists local members, and remote members with a post that
// stands here, by display name.
func (s *Store) ListDirectory(ctx context.Context, limit int) ([]*forum.Member, error) {
	var rows []memberRow
	err := s.db.NewSelect().Model(&rows).
		WhereGroup(" AND ", func(q *bun.SelectQuery) *bun.SelectQuery {
			return q.Where("domain = ''").
				WhereOr("id IN (SELECT author_id FROM posts WHERE deleted_at IS NULL)")
		}).
		OrderExpr("LOWER(display_name), id").Limit(int64(limit)).Scan(ctx)
	if err != nil {
		return nil, dbErr("list directory", err)
	}
	return s.withLanguages(ctx, rows)
}
