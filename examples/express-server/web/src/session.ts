/** The user token, kept in sessionStorage: it lasts while the tab is open and is gone when it closes. */
const KEY = 'shuttersense.userToken'

export const readToken = (): string | null => sessionStorage.getItem(KEY)
export const saveToken = (token: string): void => sessionStorage.setItem(KEY, token)
export const clearToken = (): void => sessionStorage.removeItem(KEY)
