import type { Bridge } from '../../shared/ipc/contract'

declare global {
  interface Window {
    /** The IPC bridge: the preload script's in the app, the test bridge in end-to-end tests. */
    readonly api: Bridge
  }

  /**
   * The slice of WebGPU the engine uses. TypeScript's DOM library does not ship WebGPU types and the
   * project carries no @webgpu/types, so only what is read is declared here.
   */
  interface GPUAdapterInfoLike {
    readonly vendor?: string
    readonly architecture?: string
    readonly device?: string
    readonly description?: string
    readonly isFallbackAdapter?: boolean
  }

  interface GPUAdapterLike {
    readonly info?: GPUAdapterInfoLike
    /** Older Chromium exposed the flag on the adapter itself. */
    readonly isFallbackAdapter?: boolean
    readonly features: object
    readonly limits: object
    requestDevice(descriptor?: object): Promise<unknown>
  }

  interface GPULike {
    requestAdapter(options?: {
      powerPreference?: 'low-power' | 'high-performance'
      forceFallbackAdapter?: boolean
    }): Promise<GPUAdapterLike | null>
  }

  interface Navigator {
    readonly gpu?: GPULike
  }
}

export {}
