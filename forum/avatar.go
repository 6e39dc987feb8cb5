package forum

import "context"

// SetAvatar gives a local member the picture stored under name, or takes
// it away (""). The picture is already in the media store: the web layer
// checked and re-encoded it. Other nodes hear of it as a profile update.
func (s *Service) SetAvatar(ctx context.Context, actor *Member, memberID ID, name string) (*Member, error) {
	return s.changeMember(ctx, actor, memberID, EventMemberUpdated, func(_ context.Context, _ Store, m *Member) error {
		if err := CanEditProfile(actor, m); err != nil {
			return err
		}
		if !m.Local() {
			return ErrForbidden
		}
		m.Avatar = name
		return nil
	})
}
