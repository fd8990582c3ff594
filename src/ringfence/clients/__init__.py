"""MCP client configuration files (Claude Code, Claude Desktop, Cursor, VS Code,
Windsurf, or any JSON file) and the rewrite that routes their servers through
`ringfence mcp proxy` (`ringfence wrap` / `ringfence unwrap`)."""
