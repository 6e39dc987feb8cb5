package forum

import (
	"context"
	"fmt"
)

// SetAvatar gives a local member the picture stored under name, or takes
// it away (""). The picture is already in the media store: the web layer
// checked and re-encoded it. Other nodes hear of it as a profile update.
func (s *Service) SetAvatar(ctx context.Context, actor *Member, memberID ID, name string) (*Member, error) {
	var m *Member
	err := s.store.Atomic(ctx, func(ctx context.Context, tx Store) error {
		var err error
		if m, err = tx.MemberToChange(ctx, memberID); err != nil {
			return err
		}
		if err := CanEditProfile(actor, m); err != nil {
			return err
		}
		if !m.Local() {
			return ErrForbidden
		}
		m.Avatar = name
		if err := tx.UpdateMember(ctx, m); err != nil {
			return fmt.Errorf("update avatar: %w", err)
		}
		return s.record(ctx, tx, Event{Kind: EventMemberUpdated, ActorID: actor.ID, MemberID: m.ID})
	})
	if err != nil {
		return nil, err
	}
	return m, nil
}
