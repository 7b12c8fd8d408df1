from notefix.cli import main

main()
