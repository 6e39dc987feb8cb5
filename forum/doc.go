// Package forum is the domain of an agora node: members, forums, questions
// (threads), answers (posts), and the rules that govern them.
//
// It knows nothing of HTTP, SQL or JSON-LD. It declares the storage it needs
// (Store) and the services it uses (PasswordHasher, Renderer, Clock, IDs);
// storage/ implements Store, web/ and federation/ call Service.
package forum
