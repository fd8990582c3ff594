"""`ringfence exec --contain`: run a command in its own network namespace whose only
way out is the ringfence proxy (Linux).

Outside, a bridge accepts on a unix socket in a private directory and connects each
stream to the proxy's TCP port. Inside a new network namespace (made with `unshare`:
a user namespace as well when not root), only loopback exists; `ringfence.contain.inner`
brings it up, listens on 127.0.0.1:PORT (the proxy's port number) and forwards each
connection to that unix socket, then runs the command. With no other interface there is
no route anywhere else: no direct sockets and no DNS.

Known limit: unix sockets bound to file paths (not abstract ones) are not scoped by
network namespaces, so a path socket the command can open (a Docker or D-Bus socket)
is still reachable; run agents as a user that cannot open such sockets."""
