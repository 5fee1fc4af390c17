import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, call, currentToken, type Schemas } from './client';

export const keys = {
  me: ['me'] as const,
  tasks: ['tasks'] as const,
  notifications: (unread: boolean) => ['notifications', { unread }] as const,
  unread: ['notifications', 'unread-count'] as const,
};

export function useMe() {
  return useQuery({ queryKey: [...keys.me, currentToken()], queryFn: () => call(api.GET('/me')), enabled: !!currentToken(), retry: false });
}

export function useTasks() {
  return useQuery({ queryKey: keys.tasks, queryFn: () => call(api.GET('/tasks')), refetchInterval: 15_000, enabled: !!currentToken() });
}

export function useNotifications(unreadOnly: boolean) {
  return useQuery({
    queryKey: keys.notifications(unreadOnly),
    queryFn: () => call(api.GET('/notifications', { params: { query: { unread: unreadOnly ? true : undefined, limit: 50 } } })),
    refetchInterval: 15_000,
    enabled: !!currentToken(),
  });
}

/** Unread count for the header badge: the first page of unread notifications (max 200). */
export function useUnreadCount() {
  return useQuery({
    queryKey: keys.unread,
    queryFn: () => call(api.GET('/notifications', { params: { query: { unread: true, limit: 200 } } })),
    select: (page) => page.items.length,
    refetchInterval: 15_000,
    enabled: !!currentToken(),
  });
}

export function useMarkRead() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (id: string) => call(api.POST('/notifications/{id}/read', { params: { path: { id } } })),
    onSuccess: () => qc.invalidateQueries({ queryKey: ['notifications'] }),
  });
}

export type Task = Schemas['TaskResponseDto'];
export type Notification = Schemas['NotificationResponseDto'];
export type AuditEvent = Schemas['AuditEventResponseDto'];
