// Placeholder replaced by the real harness (FerretDB or MONGODB_URI).
export async function stopTestServer(): Promise<void> {}
