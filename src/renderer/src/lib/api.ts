// The one place that reads the preload bridge, so components can be tested with a fake.
export const api = window.api
