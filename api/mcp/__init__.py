"""The MCP server: the service's tools and resources for agents, over stdio and Streamable HTTP at /mcp."""
