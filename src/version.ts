// The product version, reported by /healthz and `llm-rules --version`.
export const VERSION = '0.1.0';
