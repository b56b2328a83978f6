/** A titled region: the heading names it for screen readers (aria-labelledby). */
import { useId, type ReactNode } from 'react'

export function Panel({
  title,
  actions,
  children,
  className = ''
}: {
  title: string
  actions?: ReactNode
  children: ReactNode
  className?: string
}): React.JSX.Element {
  const id = useId()
  return (
    <section className={`panel ${className}`} aria-labelledby={id}>
      <header className="panel-head">
        <h2 id={id}>{title}</h2>
        {actions}
      </header>
      {children}
    </section>
  )
}
