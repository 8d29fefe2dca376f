/* Doubly linked lists with a head, as ntdll's InitializeListHead /
   InsertTailList / RemoveEntryList (runtime-internal). */
#ifndef MMSCOPE_RUNTIME_LIST_H
#define MMSCOPE_RUNTIME_LIST_H
#include <winnt.h>

static inline void InitializeListHead(LIST_ENTRY *head) { head->Flink = head->Blink = head; }
static inline int IsListEmpty(const LIST_ENTRY *head) { return head->Flink == head; }

static inline void InsertTailList(LIST_ENTRY *head, LIST_ENTRY *entry) {
  entry->Flink = head;
  entry->Blink = head->Blink;
  head->Blink->Flink = entry;
  head->Blink = entry;
}

static inline void RemoveEntryList(LIST_ENTRY *entry) {
  entry->Blink->Flink = entry->Flink;
  entry->Flink->Blink = entry->Blink;
}
#endif
