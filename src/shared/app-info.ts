// Pure TypeScript: imported by main, renderer and CLI alike, so no electron, Node or DOM here.
export const APP_NAME = 'Stark Sandbox Simulator'
