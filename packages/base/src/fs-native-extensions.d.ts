declare module 'fs-native-extensions' {
  interface LockOptions {
    shared?: boolean;
  }
  const fsExt: {
    tryLock(fd: number, offset?: number, length?: number, options?: LockOptions): boolean;
    unlock(fd: number, offset?: number, length?: number): void;
  };
  export default fsExt;
}
